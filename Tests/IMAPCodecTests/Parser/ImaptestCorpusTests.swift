import Foundation
import Testing
@testable import IMAPCodec

/// The client commands of Dovecot's imaptest scripts (../shared/imaptest, which every
/// checkout and CI run has beside the project) that the scripts expect to succeed: each
/// must parse. Script variables become plain values (`$mailbox` → `testbox`).
@Suite("imaptest scripts")
struct ImaptestCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/imaptest")

    static var isPresent: Bool { FileManager.default.fileExists(atPath: directory.path) }

    /// Extensions the server does not offer; their commands parse as `.unknown`.
    static let unsupported: Set<String> = ["SORT", "THREAD", "URLFETCH", "GENURLAUTH", "NOTIFY", "RESETKEY", "CANCELUPDATE"]

    /// `ok <command>` and `no <command>` lines, minus APPEND (the tool adds the message)
    /// and CATENATE (not offered).
    static func commands() throws -> [(script: String, line: String)] {
        var commands: [(String, String)] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for name in names where !name.contains(".") && !name.hasPrefix("COPYING") {
            var isDirectory: ObjCBool = false
            let path = directory.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            for rawLine in text.split(separator: "\n") {
                var line = Substring(rawLine)
                // An optional connection number, then the expected result.
                if let space = line.firstIndex(of: " "), line[..<space].allSatisfy(\.isNumber), !line[..<space].isEmpty {
                    line = line[line.index(after: space)...]
                }
                guard line.hasPrefix("ok ") || line.hasPrefix("no ") else { continue }
                let command = line.dropFirst(3)
                let lowered = command.lowercased()
                guard !command.hasPrefix("["), !lowered.hasPrefix("append"), !lowered.contains("catenate") else { continue }
                commands.append((name, substituteVariables(String(command))))
            }
        }
        return commands
    }

    static func substituteVariables(_ command: String) -> String {
        var result = ""
        var characters = command[...]
        while let first = characters.first {
            characters = characters.dropFirst()
            guard first == "$" else {
                result.append(first)
                continue
            }
            let braced = characters.first == "{"
            if braced { characters = characters.dropFirst() }
            let name = characters.prefix { $0.isLetter || $0 == "_" }
            characters = characters.dropFirst(name.count)
            if braced {
                characters = characters.drop { $0 != "}" }.dropFirst()
            } else {
                characters = characters.drop { $0.isNumber }
            }
            switch name {
            case "mailbox": result += "testbox"
            case "sep": result += "."
            default: result += "5"
            }
        }
        return result
    }

    @Test(.enabled(if: isPresent))
    func everyCommandTheScriptsExpectToSucceedParses() throws {
        let commands = try Self.commands()
        #expect(commands.count > 600)
        for (script, line) in commands {
            let wire = Array(("t1 " + line + "\r\n").utf8)
            do {
                let parsed = try CommandParser.parseCommand(wire[...])
                if case .unknown(let name) = parsed.command {
                    #expect(Self.unsupported.contains(name.uppercased()), "\(script): \(line)")
                }
            } catch {
                Issue.record("\(script): \(line) -- \(error.reason)")
            }
        }
    }
}

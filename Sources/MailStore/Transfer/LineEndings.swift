/// Line-ending conversion for imported mail: Maildir and mbox files usually hold
/// bare LF; IMAP serves CRLF, so the store keeps CRLF and FETCH never converts.
enum LineEndings {
    /// Turns every bare LF into CRLF; existing CRLF pairs stay as they are.
    static func crlf(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + bytes.count / 32)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { result.append(0x0D) }
            result.append(byte)
            previous = byte
        }
        return result
    }
}

/// The pieces of a Maildir file name: `<base>:2,<flags>` (Dovecot, Courier,
/// mutt, mbsync all use this form).
struct MaildirName: Equatable {
    var base: String
    /// The letters after `:2,`: uppercase standard flags, lowercase keyword indices.
    var flagLetters: String

    init(_ name: String) {
        if let range = name.firstRange(of: ":2,") {
            base = String(name[..<range.lowerBound])
            flagLetters = String(name[range.upperBound...])
        } else {
            base = name
            flagLetters = ""
        }
    }

    /// System flags and keywords, with `keywords` the folder's dovecot-keywords
    /// table (letter a = index 0). `P` (passed) becomes the `$Forwarded` keyword.
    func flags(keywords: [Int: String]) -> MessageFlags {
        var flags = MessageFlags()
        for letter in flagLetters.unicodeScalars {
            switch letter {
            case "S": flags.system.insert(.seen)
            case "R": flags.system.insert(.answered)
            case "F": flags.system.insert(.flagged)
            case "T": flags.system.insert(.deleted)
            case "D": flags.system.insert(.draft)
            case "P": flags.keywords.insert("$Forwarded")
            case "a"..."z":
                if let keyword = keywords[Int(letter.value - 97)] { flags.keywords.insert(keyword) }
            default: break
            }
        }
        return flags
    }

    /// The `:2,` letters for flags, in ASCII order as Maildir requires.
    static func letters(for flags: MessageFlags, keywordIndex: [String: Int]) -> String {
        var letters: [Character] = []
        if flags.system.contains(.draft) { letters.append("D") }
        if flags.system.contains(.flagged) { letters.append("F") }
        if flags.keywords.contains("$Forwarded") { letters.append("P") }
        if flags.system.contains(.answered) { letters.append("R") }
        if flags.system.contains(.seen) { letters.append("S") }
        if flags.system.contains(.deleted) { letters.append("T") }
        for keyword in flags.keywords where keyword != "$Forwarded" {
            if let index = keywordIndex[keyword], index < 26 { letters.append(Character(UnicodeScalar(UInt8(97 + index)))) }
        }
        return String(letters.sorted())
    }
}

/// Maildir++ folder names: `.A.B` is the mailbox `A/B`. A `.`, `/` or `%` inside a
/// name component is written as `%2E`, `%2F`, `%25` so names round-trip.
enum MaildirFolderName {
    static func mailboxName(forFolder folder: String) -> String? {
        guard folder.hasPrefix("."), folder.count > 1 else { return nil }
        return folder.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
            .map { unescape(String($0)) }.joined(separator: "/")
    }

    static func folder(forMailbox name: String) -> String {
        "." + name.split(separator: "/").map { escape(String($0)) }.joined(separator: ".")
    }

    private static func escape(_ component: String) -> String {
        component.replacing("%", with: "%25").replacing(".", with: "%2E").replacing("/", with: "%2F")
    }

    private static func unescape(_ component: String) -> String {
        component.replacing("%2E", with: ".").replacing("%2F", with: "/").replacing("%25", with: "%")
    }
}

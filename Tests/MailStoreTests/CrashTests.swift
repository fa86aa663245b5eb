import Glibc
import Testing
@testable import MailStore

/// Kills a writer with SIGKILL at random moments, hundreds of times, and checks
/// after each kill that every acknowledged operation survived and the index is
/// consistent. Bounded in iterations and in wall time (the bound only shortens
/// the run; a slow machine runs fewer rounds, it never fails).
@Suite struct CrashTests {
    struct Message: Equatable {
        var hash: String
        var size: Int
        var flags: String?
    }

    /// What the parent knows to be durable, per mailbox.
    struct Model {
        var messages: [String: [UID: Message]] = ["INBOX": [:], "Archive": [:]]
        var expunged: [String: Set<UID>] = ["INBOX": [], "Archive": []]
        /// Every (mailbox, uid) ever seen with its body, to prove UIDs are never reused.
        var everSeen: [String: [UID: String]] = ["INBOX": [:], "Archive": [:]]
        var lastStatus: [String: MailboxStatus] = [:]
        /// Hashes of files already read, by mailbox and UID.
        var hashed: [String: [UID: (inode: UInt, hash: String)]] = ["INBOX": [:], "Archive": [:]]
    }

    @Test func acknowledgedOperationsSurviveSIGKILL() async throws {
        let torture = buildProductsDirectory() + "/mailstore-torture"
        try #require(PosixFileIO().fileExists(torture), "build the package first: \(torture) is missing")
        let directory = TemporaryDirectory()
        let root = directory.path + "/data"
        var model = Model()
        var random = SystemRandomNumberGenerator()
        let started = monotonicSeconds()
        var rounds = 0, acknowledged = 0
        while rounds < 300, monotonicSeconds() - started < 15 {
            rounds += 1
            // Every other round compacts after a few KiB of journal, so kills land
            // inside checkpoints and snapshot/journal swaps too.
            let threshold = rounds % 2 == 0 ? "2048" : String(16 << 20)
            let seed = String(UInt64.random(in: 1...UInt64(Int64.max), using: &random))
            let child = try ChildProcess(path: torture, arguments: [root, seed, "80", threshold])
            // Half the rounds die after a number of acknowledgements, half after a
            // delay (which may fall during recovery or startup). Until something has
            // been acknowledged, rounds wait for acknowledgements: on a loaded machine
            // the time bound may allow only a few rounds, and delay rounds alone
            // could then end the run with nothing checked.
            let killAfterAcks = Bool.random() || acknowledged == 0 ? Int.random(in: 1...12, using: &random) : Int.max
            let deadline = monotonicSeconds() + Double.random(in: 0.001...0.06, using: &random)
            var lines: [String] = []
            var acks = 0, sawDone = false
            while acks < killAfterAcks, monotonicSeconds() < deadline || killAfterAcks != Int.max {
                guard let line = child.readLine(timeoutMilliseconds: 5) else {
                    if child.reachedEOF { break }
                    continue
                }
                if line == "DONE" { sawDone = true; break }
                lines.append(line)
                if !line.hasPrefix("B ") { acks += 1 }
            }
            let exitedByItself = child.reachedEOF || sawDone
            let status = exitedByItself ? child.wait() : child.kill()
            if exitedByItself {
                #expect(sawDone && status == 0, "the child failed on its own (status \(status)) in round \(rounds)")
                if !(sawDone && status == 0) { return }
            }
            // Lines written before the kill are acknowledgements too.
            while let line = child.readLine(timeoutMilliseconds: 0) {
                if line != "DONE" { lines.append(line) }
            }
            acknowledged += lines.filter { !$0.hasPrefix("B ") }.count
            let inFlight = Self.apply(lines, to: &model)
            let passed = try await Self.verify(root: root, model: &model, inFlight: inFlight, round: rounds)
            if !passed { return }
        }
        #expect(rounds > 0 && acknowledged > 0)
        print("crash test: \(rounds) SIGKILL rounds, \(acknowledged) acknowledged operations checked")
    }

    /// Operations begun but not acknowledged when the child died.
    struct InFlight {
        var touched: [String: Set<UID>] = ["INBOX": [], "Archive": []]
        var appends: [String: Int] = ["INBOX": 0, "Archive": 0]
    }

    /// Folds acknowledged operations into the model; returns what was still in flight.
    static func apply(_ lines: [String], to model: inout Model) -> InFlight {
        var inFlight = InFlight()
        var begun: [String] = []
        for line in lines {
            let f = line.split(separator: " ").map(String.init)
            switch f[0] {
            case "B":
                begun.append(f[1..<4].joined(separator: " "))
            case "A":
                let uid = UID(f[2])!
                model.messages[f[1]]![uid] = Message(hash: f[3], size: Int(f[4])!, flags: "\(f[5]) \(f[6])")
                model.everSeen[f[1]]![uid] = f[3]
                begun.remove(at: begun.firstIndex(of: "A \(f[1]) 0")!)
            case "F":
                model.messages[f[1]]![UID(f[2])!]?.flags = "\(f[3]) \(f[4])"
                begun.remove(at: begun.firstIndex(of: "F \(f[1]) \(f[2])")!)
            case "C", "M":
                let source = UID(f[2])!, target = UID(f[4])!
                if let message = model.messages[f[1]]![source] {
                    model.messages[f[3]]![target] = message
                    model.everSeen[f[3]]![target] = message.hash
                } else {
                    // The source came in by an unacknowledged append; only presence is known.
                    model.messages[f[3]]![target] = nil
                }
                if f[0] == "M" {
                    model.messages[f[1]]![source] = nil
                    model.expunged[f[1]]!.insert(source)
                }
                begun.remove(at: begun.firstIndex(of: "\(f[0]) \(f[1]) \(f[2])")!)
                begun.remove(at: begun.firstIndex(of: "A \(f[3]) 0")!)
            case "X":
                model.messages[f[1]]![UID(f[2])!] = nil
                model.expunged[f[1]]!.insert(UID(f[2])!)
                begun.remove(at: begun.firstIndex(of: "X \(f[1]) \(f[2])")!)
            default:
                Issue.record("unexpected line from the child: \(line)")
            }
        }
        for entry in begun {
            let f = entry.split(separator: " ").map(String.init)
            if f[0] == "A" { inFlight.appends[f[1]]! += 1 } else { inFlight.touched[f[1]]!.insert(UID(f[2])!) }
        }
        return inFlight
    }

    /// Reopens the store, checks it against the model, then adopts what is there.
    static func verify(root: String, model: inout Model, inFlight: InFlight, round: Int) async throws -> Bool {
        let store = try MailStore(root: root)
        defer { Task { await store.close() } }
        let user = try await store.user("torture")
        var ok = true
        func check(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition {
                Issue.record("round \(round): \(message())")
                ok = false
            }
        }
        for name in ["INBOX", "Archive"] {
            let mailbox = try await user.mailbox(named: name)
            let view = mailbox.view(), status = view.status
            var actual: [UID: Message] = [:]
            var unseen = 0, size: Int64 = 0
            for sequence in 1...max(view.count, 1) where view.count > 0 {
                let message = view.message(atSequence: sequence)
                if sequence > 1 { check(view.uid(atSequence: sequence - 1) < message.uid, "\(name): UIDs not ascending") }
                check(message.uid < status.uidNext, "\(name): UID \(message.uid) ≥ UIDNEXT \(status.uidNext)")
                check(message.modSeq <= status.highestModSeq, "\(name): MODSEQ above HIGHESTMODSEQ")
                if !message.flags.system.contains(.seen) { unseen += 1 }
                size += Int64(message.size)
                guard let file = try? mailbox.openMessage(uid: message.uid) else {
                    check(false, "\(name): message \(message.uid) has no readable file")
                    continue
                }
                check(file.bodySize == message.size, "\(name): size of \(message.uid) differs from its file")
                let keywords = message.flags.keywords.sorted().joined(separator: ",")
                // Bodies are immutable: one hashed in an earlier round (same UID, same
                // inode and offset) needs no second look; a reused UID would differ.
                var info = stat()
                _ = stat(file.bodyPath, &info)
                let place = UInt(info.st_ino) &* 1_000_003 &+ UInt(file.bodyOffset)
                let cached = model.hashed[name]![message.uid]
                let hash = cached?.inode == place ? cached!.hash : fnv64Hex(file.body)
                model.hashed[name]![message.uid] = (place, hash)
                actual[message.uid] = Message(
                    hash: hash, size: message.size,
                    flags: "\(message.flags.system.rawValue) \(keywords.isEmpty ? "-" : keywords)")
            }
            check(status.messages == view.count && status.unseen == unseen && status.size == size, "\(name): counters")
            if let last = model.lastStatus[name] {
                check(status.uidValidity == last.uidValidity, "\(name): UIDVALIDITY changed")
                check(status.uidNext >= last.uidNext, "\(name): UIDNEXT went back")
                check(status.highestModSeq >= last.highestModSeq, "\(name): HIGHESTMODSEQ went back")
            }
            let exempt = inFlight.touched[name]!
            for (uid, expected) in model.messages[name]! where !exempt.contains(uid) {
                guard let found = actual[uid] else {
                    check(false, "\(name): acknowledged message \(uid) is missing")
                    continue
                }
                check(found.hash == expected.hash && found.size == expected.size, "\(name): body of \(uid) differs")
                if let flags = expected.flags { check(found.flags == flags, "\(name): flags of \(uid): \(found.flags!) ≠ \(flags)") }
            }
            let extras = actual.keys.filter { model.messages[name]![$0] == nil && !exempt.contains($0) }
            check(extras.count <= inFlight.appends[name]!, "\(name): unexpected messages \(extras.sorted())")
            let vanished = view.vanished(since: 0)
            for uid in model.expunged[name]! {
                check(actual[uid] == nil, "\(name): expunged \(uid) is back")
                check(vanished.contains(uid), "\(name): expunged \(uid) missing from the history")
            }
            for (uid, message) in actual {
                if let seen = model.everSeen[name]![uid] { check(seen == message.hash, "\(name): UID \(uid) reused") }
                check(!vanished.contains(uid), "\(name): \(uid) both present and expunged")
            }
            // Adopt what is durable now as the model for the next round.
            model.messages[name] = actual
            for (uid, message) in actual { model.everSeen[name]![uid] = message.hash }
            model.expunged[name] = Set(vanished)
            model.lastStatus[name] = status
        }
        await user.close()
        return ok
    }
}

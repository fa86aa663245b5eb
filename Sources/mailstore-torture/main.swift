// mailstore-torture: the child of MailStoreTests' crash test. It runs a bounded,
// seeded mix of appends, flag changes, copies, moves and expunges against a store,
// and reports on stdout (one line each, written with one write(2)):
//
//   B <op> <mailbox> <uid>                  before an operation (uid 0: not known yet)
//   A <mailbox> <uid> <fnv64 hex> <size> <system flags> <keywords or ->
//                                           an append is acknowledged (durable)
//   F <mailbox> <uid> <system flags> <keywords, comma-separated or ->
//   C <from> <uid> <to> <new uid>           a copy is acknowledged
//   M <from> <uid> <to> <new uid>           a move is acknowledged (copy + removal)
//   X <mailbox> <uid>                       an expunge is acknowledged
//
// The parent kills it with SIGKILL at random moments and checks that everything
// acknowledged is in the store it reopens.
//
// usage: mailstore-torture <data root> <seed> <operations> [compaction threshold]
// (a small threshold makes compactions, and kills during them, frequent)
import Glibc
import MailStore

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func report(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

func fnv64(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}

func makeBody(_ random: inout SplitMix64, tag: String) -> [UInt8] {
    let size = Int.random(in: 50...12_000, using: &random)
    var text = "From: torture@example.com\r\nSubject: \(tag)\r\nDate: Fri, 27 Nov 2026 04:00:00 +0000\r\n\r\n"
    while text.utf8.count < size { text += "line \(random.next() % 100_000) of \(tag)\r\n" }
    return Array(text.utf8)
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let seed = UInt64(arguments[2]), let operations = Int(arguments[3]) else {
    report("usage: mailstore-torture <data root> <seed> <operations> [compaction threshold]")
    exit(2)
}
var options = StoreOptions()
if arguments.count > 4, let threshold = Int(arguments[4]) { options.compactionThreshold = threshold }
var random = SplitMix64(state: seed)
let names = ["INBOX", "Archive"]
let store = try MailStore(root: arguments[1], options: options)
let user = try await store.user("torture")
let mailboxes = [try await user.mailbox(named: names[0]), try await user.mailbox(named: names[1])]

for step in 0..<operations {
    let which = Int.random(in: 0..<2, using: &random)
    let mailbox = mailboxes[which], name = names[which]
    let other = mailboxes[1 - which], otherName = names[1 - which]
    let uids = mailbox.view().uids
    let target = uids.randomElement(using: &random)
    switch Int.random(in: 0..<100, using: &random) {
    case 0..<30:
        let body = makeBody(&random, tag: "s\(seed)-\(step)")
        let flags = MessageFlags(Bool.random(using: &random) ? .seen : [], keywords: Bool.random(using: &random) ? ["$Label1"] : [])
        report("B A \(name) 0")
        let uid = try await mailbox.append(body, flags: flags)
        let keywords = flags.keywords.sorted().joined(separator: ",")
        report("A \(name) \(uid) \(String(fnv64(body), radix: 16)) \(body.count) \(flags.system.rawValue) \(keywords.isEmpty ? "-" : keywords)")
    case 30..<40:
        // Concurrent appends: several writers share group commits.
        let bodies = (0..<Int.random(in: 2...6, using: &random)).map { makeBody(&random, tag: "s\(seed)-\(step)-\($0)") }
        for _ in bodies { report("B A \(name) 0") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for body in bodies {
                group.addTask {
                    let uid = try await mailbox.append(body)
                    report("A \(name) \(uid) \(String(fnv64(body), radix: 16)) \(body.count) 0 -")
                }
            }
            try await group.waitForAll()
        }
    case 40..<65:
        guard let target else { continue }
        let flags = MessageFlags(
            SystemFlags(rawValue: UInt8.random(in: 0...0x1F, using: &random)),
            keywords: Set(["$Label1", "$Label2", "Work"].filter { _ in Bool.random(using: &random) }))
        let change: FlagChange = switch Int.random(in: 0..<3, using: &random) {
        case 0: .add(flags)
        case 1: .remove(flags)
        default: .replace(flags)
        }
        report("B F \(name) \(target)")
        _ = try await mailbox.store(change, uids: UIDSet([target...target]))
        guard let now = mailbox.view().message(uid: target) else { continue }
        let keywords = now.flags.keywords.sorted().joined(separator: ",")
        report("F \(name) \(target) \(now.flags.system.rawValue) \(keywords.isEmpty ? "-" : keywords)")
    case 65..<78:
        guard let target else { continue }
        report("B C \(name) \(target)")
        report("B A \(otherName) 0")
        let copied = try await mailbox.copy(uids: UIDSet([target...target]), to: other)
        if let new = copied.destination.first { report("C \(name) \(target) \(otherName) \(new)") }
    case 78..<88:
        guard let target else { continue }
        report("B M \(name) \(target)")
        report("B A \(otherName) 0")
        let moved = try await mailbox.move(uids: UIDSet([target...target]), to: other)
        if let new = moved.destination.first { report("M \(name) \(target) \(otherName) \(new)") }
    default:
        guard let target else { continue }
        report("B X \(name) \(target)")
        _ = try await mailbox.store(.add(MessageFlags(.deleted)), uids: UIDSet([target...target]))
        let removed = try await mailbox.expunge(uids: UIDSet([target...target]))
        if removed.contains(target) { report("X \(name) \(target)") }
    }
}
report("DONE")

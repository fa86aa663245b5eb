#if canImport(Glibc)
import Glibc
#endif

/// One line per fan-out round, for lining a round up with the server's own trace
/// (`IMAP_LOAD_ROUND_LOG=path`): the APPEND's send, its OK, and the first and last
/// arrival of its EXISTS, all as CLOCK_REALTIME nanoseconds (the clock of the
/// kernel's receive timestamps).
final class RoundLog: @unchecked Sendable {
    static let shared: RoundLog? = {
        guard let path = getenv("IMAP_LOAD_ROUND_LOG").map({ String(cString: $0) }), !path.isEmpty else { return nil }
        guard let file = fopen(path, "a") else { return nil }
        return RoundLog(file: file)
    }()

    private let file: UnsafeMutablePointer<FILE>

    private init(file: UnsafeMutablePointer<FILE>) { self.file = file }

    func write(serial: Int, sent: SendTime, appendOK: UInt64, arrivals: (first: UInt64, last: UInt64)) {
        let ok = sent.realtime &+ (appendOK &- sent.monotonic)
        let line = "round \(serial) sent \(sent.realtime) ok \(ok) first \(arrivals.first) last \(arrivals.last)\n"
        fputs(line, file)
        fflush(file)
    }
}

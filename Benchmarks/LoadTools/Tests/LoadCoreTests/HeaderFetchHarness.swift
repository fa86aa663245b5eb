import IMAPCodec
@testable import LoadCore

/// Header-FETCH answers as servers send them, and the two ways of reading them: the
/// fast lane (``HeaderFetchReceiver``) fed in chosen pieces, and the generic reader
/// with ``ResponseValidator/validateHeaderFetch(_:exists:)``.
enum HeaderFetchTranscript {
    static let section = "BODY[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)]"

    /// The header block of corpus-like message `number`.
    static func header(_ number: Int) -> String {
        "From: sender-\(number % 50) <sender@corpus.invalid>\r\nTo: load1@load.invalid\r\n"
            + "Subject: corpus message \(number)\r\nMessage-ID: <corpus.\(number)@load.invalid>\r\n\r\n"
    }

    static func literal(_ text: String) -> String { "{\(text.utf8.count)}\r\n" + text }

    /// `* n FETCH (UID n FLAGS (…) BODY[…] {size}…)`: Mailshard's order.
    static func answer(_ number: Int, flags: String = "\\Seen", uid: Int? = nil) -> String {
        "* \(number) FETCH (UID \(uid ?? number) FLAGS (\(flags)) \(section) \(literal(header(number))))\r\n"
    }

    /// Answers for messages 1...count and a tagged OK.
    static func complete(_ count: Int, tag: String = "a1") -> String {
        (1...count).map { answer($0, flags: $0 % 3 == 0 ? "" : "\\Seen") }.joined() + "\(tag) OK Fetch completed.\r\n"
    }

    static func headerBytes(_ count: Int) -> Int { (1...count).reduce(0) { $0 + header($1).utf8.count } }
}

/// What reading an answer concluded: header bytes, or the kind of error.
enum HeaderFetchOutcome: Equatable, CustomStringConvertible {
    case bytes(Int)
    case failure(String)

    var description: String {
        switch self {
        case .bytes(let count): "\(count) bytes"
        case .failure(let kind): "failure \(kind)"
        }
    }
}

/// The connection's rules for a response of the exchange tagged `tag`.
func settleForTest(_ response: Response, tag: String) throws(LoadError) -> StatusResponse? {
    switch response {
    case .tagged(let got, let status):
        guard got == tag else { throw LoadError("protocol", "completion for unknown tag \(got)") }
        return status
    case .untagged(.condition(let status)) where status.kind == .bye:
        throw LoadError("BYE", status.text.text)
    case .untagged:
        return nil
    case .continuation:
        throw LoadError("protocol", "unexpected continuation request")
    }
}

/// The fast lane's verdict on `text` received in pieces of `pieces` bytes (cycled;
/// the last piece is what remains), and how many responses it recognized and handed on.
/// Running out of bytes is the server closing the connection.
func fastLane(
    _ text: String, exists: UInt32, pieces: [Int], capacity: Int = 256 * 1024, tag: String = "a1"
) -> (outcome: HeaderFetchOutcome, recognized: Int, handedOver: Int, left: [Response]) {
    let bytes = Array(text.utf8)
    var offset = 0
    var turn = 0
    var reader = ResponseReader(streamLiteralsAbove: 16 * 1024)
    let receiver = HeaderFetchReceiver(capacity: capacity)
    let outcome: HeaderFetchOutcome
    do throws(LoadError) {
        let status = try receiver.run(
            exists: exists, reader: &reader,
            receive: { (buffer) throws(LoadError) -> Int in
                guard offset < bytes.count else { throw LoadError("closed", "server closed the connection") }
                let piece = pieces.isEmpty ? bytes.count : max(1, pieces[turn % pieces.count])
                turn += 1
                let count = min(piece, buffer.count, bytes.count - offset)
                bytes.withUnsafeBytes { source in
                    buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
                }
                offset += count
                return count
            },
            settle: { (response) throws(LoadError) -> StatusResponse? in try settleForTest(response, tag: tag) })
        outcome = .bytes(try receiver.tally.finish(status: status))
    } catch {
        outcome = .failure(error.kind)
    }
    return (outcome, receiver.recognized, receiver.handedOver, reader.drain())
}

/// The generic reader's verdict on the same text: every response parsed, then
/// ``ResponseValidator/validateHeaderFetch(_:exists:)``.
func genericReading(_ text: String, exists: UInt32, tag: String = "a1") -> HeaderFetchOutcome {
    var reader = ResponseReader(streamLiteralsAbove: 16 * 1024)
    do throws(LoadError) {
        let bytes = Array(text.utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        try reader.take(UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count]))
        var untagged: [UntaggedResponse] = []
        while let response = reader.next() {
            if let status = try settleForTest(response, tag: tag) {
                return .bytes(try ResponseValidator.validateHeaderFetch(Exchange(untagged: untagged, status: status), exists: exists))
            }
            if case .untagged(let response) = response { untagged.append(response) }
        }
        return .failure("closed")
    } catch {
        return .failure(error.kind)
    }
}

import IMAPCodec

/// Large literals in server output (message bodies) are counted, not copied.
///
/// The framer streams a literal above the connection's threshold; this type rebuilds
/// the response text with each streamed literal replaced by a quoted marker carrying
/// its size, so ``ResponseParser`` parses a small frame, and then turns each marker back
/// into ``BodyData/external(_:)`` with the literal's byte count. Validators read the
/// count from there; the bytes themselves were never kept.
struct StreamedLiterals {
    static let markerPrefix = Array("imap-load-streamed-literal:".utf8)

    private(set) var frame: [UInt8] = []
    private(set) var isActive = false

    /// A literal header ended `head`; its `byteCount` bytes will be skipped.
    mutating func begin(head: ArraySlice<UInt8>, byteCount: Int, continuing: Bool) {
        if !continuing { frame.removeAll(keepingCapacity: true) }
        isActive = true
        // head ends with `{n}` or `~{n}` (optionally `+`) and CRLF: drop that header.
        var end = head.endIndex
        while end > head.startIndex, head[end - 1] != UInt8(ascii: "{") { end -= 1 }
        end -= 1
        if end > head.startIndex, head[end - 1] == UInt8(ascii: "~") { end -= 1 }
        frame.append(contentsOf: head[head.startIndex..<max(head.startIndex, end)])
        frame.append(UInt8(ascii: "\""))
        frame.append(contentsOf: Self.markerPrefix)
        frame.append(contentsOf: String(byteCount).utf8)
        frame.append(UInt8(ascii: "\""))
    }

    /// The rest of the response after the last streamed literal: the frame to parse.
    mutating func end(rest: ArraySlice<UInt8>) -> [UInt8] {
        frame.append(contentsOf: rest)
        isActive = false
        defer { frame.removeAll(keepingCapacity: true) }
        return frame
    }

    /// The response with every marker turned back into a byte count.
    static func restoringSizes(_ response: Response) -> Response {
        guard case .untagged(.fetch(let number, let items)) = response else { return response }
        return .untagged(.fetch(number, items.map { item in
            switch item {
            case .bodySection(let section, let origin, let data): .bodySection(section, origin: origin, restored(data))
            case .binary(let part, let origin, let data, let literal8): .binary(part: part, origin: origin, restored(data), literal8: literal8)
            case .rfc822(let data): .rfc822(restored(data))
            case .rfc822Header(let data): .rfc822Header(restored(data))
            case .rfc822Text(let data): .rfc822Text(restored(data))
            default: item
            }
        }))
    }

    static func restored(_ data: BodyData) -> BodyData {
        guard case .bytes(let bytes) = data, bytes.count > markerPrefix.count, bytes.starts(with: markerPrefix),
            let count = Int(String(decoding: bytes[markerPrefix.count...], as: UTF8.self))
        else { return data }
        return .external(ExternalBytes(source: 0, offset: 0, count: count))
    }
}

/// Why BINARY[section] or BINARY.SIZE[section] cannot be served.
public enum BinaryError: Error, Hashable, Sendable {
    /// The part numbers name no part.
    case noSuchPart
    /// The part's Content-Transfer-Encoding is not one this module decodes:
    /// RFC 9051 says to answer NO with the `UNKNOWN-CTE` response code.
    case unknownTransferEncoding
}

/// The encoded bytes of a BINARY section and how to decode them.
public struct BinarySection: Hashable, Sendable {
    /// The section's bytes in the message, still transfer-encoded.
    public var range: ByteRange
    /// How `range` is encoded; 7bit, 8bit and binary are sent as they are.
    public var encoding: TransferEncoding

    /// True when the decoded bytes are exactly `range` (no decoding needed), so
    /// the server can send the section straight from the file.
    public var isIdentity: Bool {
        encoding != .base64 && encoding != .quotedPrintable
    }

    /// The decoded bytes of `range` in `message` (the bytes that were parsed).
    public func decoded(from message: UnsafeRawBufferPointer) -> [UInt8] {
        let bytes = MessageBytes(message)
        guard range.end <= bytes.count else { return [] }
        let input = UnsafeRawBufferPointer(bytes.buffer(range))
        var output: [UInt8] = []
        switch encoding {
        case .base64:
            var decoder = Base64Decoder()
            decoder.decode(input, into: &output)
            decoder.finish(into: &output)
        case .quotedPrintable:
            var decoder = QuotedPrintableDecoder()
            decoder.decode(input, into: &output)
            decoder.finish(into: &output)
        default:
            output = Array(input)
        }
        return output
    }

    /// The BINARY.SIZE value: the length of the decoded section. Streams through
    /// the section in 64 KiB chunks, so memory stays small for large parts.
    public func decodedSize(in message: UnsafeRawBufferPointer) -> Int {
        guard !isIdentity else { return range.count }
        let bytes = MessageBytes(message)
        guard range.end <= bytes.count else { return 0 }
        let input = UnsafeRawBufferPointer(bytes.buffer(range))
        var base64 = Base64Decoder()
        var quotedPrintable = QuotedPrintableDecoder()
        var scratch: [UInt8] = []
        var total = 0
        var offset = 0
        let chunk = 64 * 1024
        repeat {
            let slice = UnsafeRawBufferPointer(rebasing: input[offset..<min(input.count, offset + chunk)])
            scratch.removeAll(keepingCapacity: true)
            if encoding == .base64 {
                base64.decode(slice, into: &scratch)
            } else {
                quotedPrintable.decode(slice, into: &scratch)
            }
            total += scratch.count
            offset += slice.count
        } while offset < input.count
        scratch.removeAll(keepingCapacity: true)
        if encoding == .base64 { base64.finish(into: &scratch) } else { quotedPrintable.finish(into: &scratch) }
        return total + scratch.count
    }
}

extension MessageStructure {
    /// The section for BINARY[part] and BINARY.SIZE[part] (RFC 3516, RFC 9051).
    ///
    /// An empty `part` is the whole message, sent as is. A multipart or message
    /// part is sent as is too (RFC 9051 only defines BINARY for leaf parts; this
    /// is what clients and the imaptest suite expect). A leaf is decoded by its
    /// Content-Transfer-Encoding; an unknown one throws `.unknownTransferEncoding`.
    public func binarySection(part: [Int]) throws(BinaryError) -> BinarySection {
        guard !part.isEmpty else {
            return BinarySection(range: ByteRange(start: 0, end: messageSize), encoding: .binary)
        }
        let index: Int
        do {
            index = try partIndex(for: part)
        } catch {
            throw .noSuchPart
        }
        let found = parts[index]
        guard found.kind == .leaf else { return BinarySection(range: found.body, encoding: .binary) }
        if found.encoding == .unknown { throw .unknownTransferEncoding }
        return BinarySection(range: found.body, encoding: found.encoding)
    }
}

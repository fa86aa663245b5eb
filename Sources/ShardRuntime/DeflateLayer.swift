import CZlib

/// COMPRESS=DEFLATE (RFC 4978): raw DEFLATE (no zlib header or checksum) in both
/// directions, one stream each way for the rest of the connection.
///
/// Outbound, every `encode` ends with a sync flush, so each response reaches the
/// client whole, never held back waiting for more output. Inbound, one `decode`
/// yields at most `decodedBytesPerCall` bytes; the rest waits in the layer
/// (``holdsDecodedInput``) and the connection takes it before it reads the socket
/// again, so a small, highly compressed input can't make one huge allocation.
///
/// Memory (the price of a compressed connection): the compressor keeps a 4 KiB
/// window with small tables, about 38 KiB with zlib's state; the decompressor
/// needs the client's window, up to 32 KiB, plus 7 KiB. Pages are touched as
/// traffic fills them: an idle compressed connection measured 35 KiB more than
/// a plain one (PSS, 500 connections). The
/// compressor runs at zlib's fastest level: IMAP responses compress well at any
/// level, and the server's CPU is what it is measured by.
///
/// Invariant: `deflater` and `inflater` are allocated and initialised in `init`,
/// never move (zlib keeps pointers back to them), and are ended and freed only in
/// `deinit`.
public final class DeflateLayer: StreamLayer {
    /// The most decoded bytes one `decode` returns.
    public static let decodedBytesPerCall = 256 * 1024
    /// Raw DEFLATE (negative) with a 4 KiB window for what the server sends; the
    /// client's stream may use the largest window, 32 KiB.
    static let compressWindowBits: Int32 = -12
    static let decompressWindowBits: Int32 = -15
    static let compressMemoryLevel: Int32 = 5

    private let deflater: UnsafeMutablePointer<z_stream>
    private let inflater: UnsafeMutablePointer<z_stream>
    /// Compressed input not yet inflated: what a capped `decode` left.
    private var unconsumed: [UInt8] = []
    /// The last inflate filled its output: zlib may hold more without new input.
    private var inflaterMayHoldOutput = false
    /// The client ended its stream; any byte after it is an error.
    private var inboundEnded = false

    public init() throws(DeflateLayerError) {
        deflater = .allocate(capacity: 1)
        deflater.initialize(to: z_stream())
        inflater = .allocate(capacity: 1)
        inflater.initialize(to: z_stream())
        let version = zlibVersion()
        let streamSize = Int32(MemoryLayout<z_stream>.size)
        let deflateStatus = deflateInit2_(deflater, Z_BEST_SPEED, Z_DEFLATED, Self.compressWindowBits,
                                          Self.compressMemoryLevel, Z_DEFAULT_STRATEGY, version, streamSize)
        // A throw from here on runs deinit, which ends and frees both streams
        // (ending a stream zlib never initialised is a no-op).
        guard deflateStatus == Z_OK else {
            throw DeflateLayerError("deflateInit2", status: deflateStatus)
        }
        let inflateStatus = inflateInit2_(inflater, Self.decompressWindowBits, version, streamSize)
        guard inflateStatus == Z_OK else {
            throw DeflateLayerError("inflateInit2", status: inflateStatus)
        }
    }

    deinit {
        deflateEnd(deflater)
        inflateEnd(inflater)
        Self.free(deflater, inflater)
    }

    private static func free(_ streams: UnsafeMutablePointer<z_stream>...) {
        for stream in streams {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
    }

    public var holdsDecodedInput: Bool { !unconsumed.isEmpty || inflaterMayHoldOutput }

    public func encode(_ output: [UInt8]) throws -> [UInt8] {
        try deflate(output, flush: Z_SYNC_FLUSH)
    }

    /// Ends the outbound stream with a final block, so the client sees it end
    /// cleanly rather than cut.
    public func finish() throws -> [UInt8] {
        try deflate([], flush: Z_FINISH)
    }

    public func decode(_ input: [UInt8], reply: inout [UInt8]) throws -> [UInt8] {
        if unconsumed.isEmpty {
            unconsumed = input
        } else {
            unconsumed.append(contentsOf: input)
        }
        guard !unconsumed.isEmpty || inflaterMayHoldOutput else { return [] }
        guard !inboundEnded else { throw DeflateLayerError(message: "bytes after the end of the client's DEFLATE stream") }

        var decoded = [UInt8](repeating: 0, count: min(Self.decodedBytesPerCall, max(4096, unconsumed.count * 8)))
        var produced = 0
        var consumed = 0
        var status = Z_OK
        while true {
            let room = decoded.count - produced
            let (used, made, result) = unconsumed.withUnsafeBufferPointer { source in
                decoded.withUnsafeMutableBufferPointer { target in
                    inflater.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress.map { $0 + consumed })
                    inflater.pointee.avail_in = UInt32(source.count - consumed)
                    inflater.pointee.next_out = target.baseAddress! + produced
                    inflater.pointee.avail_out = UInt32(room)
                    let result = inflate(inflater, Z_SYNC_FLUSH)
                    return (source.count - consumed - Int(inflater.pointee.avail_in),
                            room - Int(inflater.pointee.avail_out), result)
                }
            }
            consumed += used
            produced += made
            status = result
            let filled = produced == decoded.count
            guard status == Z_OK, filled, decoded.count < Self.decodedBytesPerCall else { break }
            decoded.append(contentsOf: repeatElement(0, count: min(decoded.count, Self.decodedBytesPerCall - decoded.count)))
        }
        inflater.pointee.next_in = nil
        inflater.pointee.next_out = nil
        switch status {
        case Z_OK:
            break
        case Z_BUF_ERROR:
            break  // no progress possible: everything is consumed, or the output was full
        case Z_STREAM_END:
            inboundEnded = true
            guard consumed == unconsumed.count else {
                throw DeflateLayerError(message: "bytes after the end of the client's DEFLATE stream")
            }
        default:
            throw DeflateLayerError("inflate", status: status, message: inflater.pointee.msg)
        }
        inflaterMayHoldOutput = produced == decoded.count && status == Z_OK
        unconsumed.removeFirst(consumed)
        decoded.removeLast(decoded.count - produced)
        return decoded
    }

    private func deflate(_ input: [UInt8], flush: Int32) throws -> [UInt8] {
        // A sync flush adds at most 5 bytes per call and 5 per 16 KiB stored
        // block; incompressible input grows by about that much.
        var compressed = [UInt8](repeating: 0, count: input.count + input.count / 1000 + 64)
        var produced = 0
        var status = Z_OK
        input.withUnsafeBufferPointer { source in
            deflater.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            deflater.pointee.avail_in = UInt32(source.count)
            while true {
                let room = compressed.count - produced
                compressed.withUnsafeMutableBufferPointer { target in
                    deflater.pointee.next_out = target.baseAddress! + produced
                    deflater.pointee.avail_out = UInt32(room)
                    status = CZlib.deflate(deflater, flush)
                }
                produced += room - Int(deflater.pointee.avail_out)
                // zlib is done with a flush once it leaves output room unused.
                guard status == Z_OK, deflater.pointee.avail_out == 0 else { break }
                compressed.append(contentsOf: repeatElement(0, count: max(4096, compressed.count / 2)))
            }
            deflater.pointee.next_in = nil
            deflater.pointee.next_out = nil
        }
        let finished = flush == Z_FINISH ? Z_STREAM_END : Z_OK
        guard status == finished || (status == Z_BUF_ERROR && input.isEmpty) else {
            throw DeflateLayerError("deflate", status: status, message: deflater.pointee.msg)
        }
        compressed.removeLast(compressed.count - produced)
        return compressed
    }
}

/// zlib refused: its function, status and message.
public struct DeflateLayerError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(message: String) {
        description = message
    }

    init(_ function: String, status: Int32, message: UnsafePointer<CChar>? = nil) {
        let detail = message.map { String(cString: $0) } ?? "status \(status)"
        description = "\(function): \(detail)"
    }
}

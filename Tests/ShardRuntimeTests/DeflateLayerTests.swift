import CZlib
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ShardRuntime

/// The layer against zlib driven independently (one raw stream each way, as an
/// RFC 4978 peer holds), and through a live connection.
@Suite struct DeflateLayerTests {
    @Test func eachEncodedChunkIsDecodableOnItsOwnAndTheStreamEndsCleanly() throws {
        let layer = try DeflateLayer()
        let peer = try RawInflater()
        let chunks = [Array("* 1 EXISTS\r\n".utf8), pattern(3, count: 70_000), [], Array("a OK done\r\n".utf8)]
        for chunk in chunks {
            let encoded = try layer.encode(chunk)
            // A sync flush ends every chunk: the peer gets all of it now, not later.
            #expect(try peer.inflate(encoded) == chunk)
        }
        let final = try layer.finish()
        #expect(try peer.inflate(final) == [])
        #expect(peer.ended)
    }

    @Test(arguments: [1, 7, 4096])
    func decodesAStreamCutAnywhere(piece: Int) throws {
        let text = (0..<400).flatMap { Array("c\($0) UID FETCH \($0):* (FLAGS)\r\n".utf8) }
        let compressed = try RawDeflater().deflate(text, flush: Z_SYNC_FLUSH)
        let layer = try DeflateLayer()
        var decoded: [UInt8] = []
        var reply: [UInt8] = []
        var start = 0
        while start < compressed.count {
            let end = min(start + piece, compressed.count)
            decoded += try layer.decode(Array(compressed[start..<end]), reply: &reply)
            start = end
        }
        #expect(decoded == text)
        #expect(reply.isEmpty)
        #expect(!layer.holdsDecodedInput)
    }

    /// 4 MiB of one byte compresses to about 4 KiB: it comes out in capped
    /// pieces, the rest held until asked for with no new input.
    @Test func aHighlyCompressedInputComesOutInCappedPieces() throws {
        let size = 4 << 20
        let compressed = try RawDeflater().deflate([UInt8](repeating: 0x41, count: size), flush: Z_SYNC_FLUSH)
        #expect(compressed.count < 64 << 10)
        let layer = try DeflateLayer()
        var reply: [UInt8] = []
        var total = try layer.decode(compressed, reply: &reply).count
        #expect(total == DeflateLayer.decodedBytesPerCall)
        var calls = 1
        while layer.holdsDecodedInput, calls < 1000 {
            let piece = try layer.decode([], reply: &reply)
            #expect(piece.count <= DeflateLayer.decodedBytesPerCall)
            #expect(piece.isEmpty || (piece.first == 0x41 && piece.last == 0x41 && piece[piece.count / 2] == 0x41))
            total += piece.count
            calls += 1
        }
        #expect(total == size)
        #expect(try layer.decode([], reply: &reply) == [])
    }

    @Test func corruptInputIsAnError() throws {
        let layer = try DeflateLayer()
        var reply: [UInt8] = []
        // Block type 3 is reserved in DEFLATE.
        #expect(throws: DeflateLayerError.self) { try layer.decode([0xFF, 0xFF, 0xFF, 0xFF], reply: &reply) }
    }

    @Test func bytesAfterTheClientsFinalBlockAreAnError() throws {
        var compressed = try RawDeflater().deflate(Array("a LOGOUT\r\n".utf8), flush: Z_FINISH)
        compressed += [0x01]
        let layer = try DeflateLayer()
        var reply: [UInt8] = []
        #expect(throws: DeflateLayerError.self) { try layer.decode(compressed, reply: &reply) }
    }

    /// Through a connection: a compressed request whose decoded size is far past
    /// one decode's cap reaches the reader whole (the held rest is read before
    /// the socket), and the compressed answer and the stream's end reach the peer.
    @Test func aConnectionReadsHeldInputBeforeTheSocket() async throws {
        let runtime = try ShardRuntime(settings: testSettings(shards: 1))
        let request = (0..<40_000).flatMap { _ in Array("0123456789abcdef0123456789".utf8) }  // ~1 MiB
        let port = try await runtime.listen(host: "127.0.0.1", port: 0) { connection in
            guard (try? await connection.pushLayer(DeflateLayer())) != nil else { return }
            var received = 0
            while received < request.count, let bytes = try? await connection.read() {
                received += bytes.count
            }
            try? await connection.write(Array("got \(received)\r\n".utf8))
        }
        let client = try LoopbackClient(port: port)
        let compressed = try RawDeflater().deflate(request, flush: Z_SYNC_FLUSH)
        try client.send(compressed)
        let peer = try RawInflater()
        let answer = try peer.inflate(client.receiveUntilClosed())
        #expect(String(decoding: answer, as: UTF8.self) == "got \(request.count)\r\n")
        #expect(peer.ended, "the layer's final block arrived before the close")
        await runtime.shutdown(gracePeriod: .seconds(1))
    }
}

/// zlib's raw inflate, as the client side of COMPRESS=DEFLATE runs it.
/// The stream is heap-allocated: zlib keeps a pointer back to it.
final class RawInflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private(set) var ended = false

    init() throws {
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw DeflateLayerError(message: "inflateInit2 \(status)") }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func inflate(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var input = input
        while true {
            let (status, made) = input.withUnsafeMutableBufferPointer { source in
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.pointee.next_in = source.baseAddress
                    stream.pointee.avail_in = UInt32(source.count)
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = UInt32(target.count)
                    let status = CZlib.inflate(stream, Z_SYNC_FLUSH)
                    return (status, target.count - Int(stream.pointee.avail_out))
                }
            }
            let left = Int(stream.pointee.avail_in)
            input = Array(input.suffix(left))
            output += chunk[0..<made]
            if status == Z_STREAM_END { ended = true; return output }
            guard status == Z_OK || status == Z_BUF_ERROR else { throw DeflateLayerError(message: "inflate \(status)") }
            if made < chunk.count && left == 0 { return output }
        }
    }
}

/// zlib's raw deflate at its default level, as a client compresses commands.
final class RawDeflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init() throws {
        stream.initialize(to: z_stream())
        let status = deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw DeflateLayerError(message: "deflateInit2 \(status)") }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    func deflate(_ input: [UInt8], flush: Int32) throws -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var input = input
        try input.withUnsafeMutableBufferPointer { source in
            stream.pointee.next_in = source.baseAddress
            stream.pointee.avail_in = UInt32(source.count)
            while true {
                let (status, made) = chunk.withUnsafeMutableBufferPointer { target in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = UInt32(target.count)
                    let status = CZlib.deflate(stream, flush)
                    return (status, target.count - Int(stream.pointee.avail_out))
                }
                output += chunk[0..<made]
                if status == Z_STREAM_END { return }
                guard status == Z_OK || status == Z_BUF_ERROR else { throw DeflateLayerError(message: "deflate \(status)") }
                if stream.pointee.avail_out != 0 { return }
            }
        }
        return output
    }
}

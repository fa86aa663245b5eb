import COpenSSL

/// SHA-256 or SHA-512 as SHA-crypt uses them: a streaming digest for the setup
/// steps, and a bare block function for the thousands of short rounds, where
/// OpenSSL's assembly compression is what we want and its buffering is overhead.
///
/// Invariants for callers of the raw-pointer members: `digest` points at
/// `digestSize` writable bytes; `blocks` points at `count * blockSize` readable
/// bytes that already carry SHA-2 padding (0x80, zeros, big-endian bit length).
protocol SHA2Function {
    /// OpenSSL's context (`SHA256_CTX` / `SHA512_CTX`), a plain C struct.
    associatedtype Context

    /// Bytes in a digest: 32 or 64.
    static var digestSize: Int { get }
    /// Bytes in a block: 64 or 128.
    static var blockSize: Int { get }
    /// Bytes of the big-endian message length that ends the padding: 8 or 16.
    static var lengthFieldSize: Int { get }

    static func start(_ context: inout Context)
    static func add(_ context: inout Context, _ bytes: UnsafeRawBufferPointer)
    static func finish(_ context: inout Context, digest: UnsafeMutableRawPointer)

    /// The digest of `count` padded blocks, written to `digest`.
    static func digest(ofPadded blocks: UnsafeRawPointer, count: Int, into digest: UnsafeMutableRawPointer)

    /// A zeroed context to start from.
    static func emptyContext() -> Context
}

enum SHA256Function: SHA2Function {
    typealias Context = SHA256_CTX
    static var digestSize: Int { 32 }
    static var blockSize: Int { 64 }
    static var lengthFieldSize: Int { 8 }

    static func emptyContext() -> SHA256_CTX { SHA256_CTX() }

    static func start(_ context: inout SHA256_CTX) { mailshard_sha256_init(&context) }

    static func add(_ context: inout SHA256_CTX, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        mailshard_sha256_update(&context, base, bytes.count)
    }

    static func finish(_ context: inout SHA256_CTX, digest: UnsafeMutableRawPointer) {
        mailshard_sha256_final(digest.assumingMemoryBound(to: UInt8.self), &context)
    }

    @inline(__always)
    static func digest(ofPadded blocks: UnsafeRawPointer, count: Int, into digest: UnsafeMutableRawPointer) {
        var context = SHA256_CTX()
        mailshard_sha256_init(&context)
        for index in 0..<count {
            mailshard_sha256_transform(&context, (blocks + index * 64).assumingMemoryBound(to: UInt8.self))
        }
        // The chaining words are the digest once written big-endian.
        withUnsafeBytes(of: &context.h) { words in
            for index in 0..<8 {
                let word = words.load(fromByteOffset: index * 4, as: UInt32.self)
                digest.storeBytes(of: word.bigEndian, toByteOffset: index * 4, as: UInt32.self)
            }
        }
    }
}

enum SHA512Function: SHA2Function {
    typealias Context = SHA512_CTX
    static var digestSize: Int { 64 }
    static var blockSize: Int { 128 }
    static var lengthFieldSize: Int { 16 }

    static func emptyContext() -> SHA512_CTX { SHA512_CTX() }

    static func start(_ context: inout SHA512_CTX) { mailshard_sha512_init(&context) }

    static func add(_ context: inout SHA512_CTX, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        mailshard_sha512_update(&context, base, bytes.count)
    }

    static func finish(_ context: inout SHA512_CTX, digest: UnsafeMutableRawPointer) {
        mailshard_sha512_final(digest.assumingMemoryBound(to: UInt8.self), &context)
    }

    @inline(__always)
    static func digest(ofPadded blocks: UnsafeRawPointer, count: Int, into digest: UnsafeMutableRawPointer) {
        var context = SHA512_CTX()
        mailshard_sha512_init(&context)
        for index in 0..<count {
            mailshard_sha512_transform(&context, (blocks + index * 128).assumingMemoryBound(to: UInt8.self))
        }
        withUnsafeBytes(of: &context.h) { words in
            for index in 0..<8 {
                let word = words.load(fromByteOffset: index * 8, as: UInt64.self)
                digest.storeBytes(of: word.bigEndian, toByteOffset: index * 8, as: UInt64.self)
            }
        }
    }
}

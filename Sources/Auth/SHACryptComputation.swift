/// The SHA-crypt digest steps over one SHA-2 function `F`, in the order of
/// Drepper's specification: the alternate sum B, the intermediate A, the P and S
/// byte sequences, then `rounds` rounds of C.
///
/// One scratch allocation holds every intermediate value; it is wiped before it
/// is freed. Invariants: `password.count <= SHACrypt.maximumPasswordBytes`,
/// `salt.count <= SHACrypt.maximumSaltBytes`, `digest` has `F.digestSize`
/// writable bytes. Each round's message is assembled in place with its SHA-2
/// padding and fed block by block to OpenSSL's compression function, which skips
/// the streaming API's copying and bookkeeping (most rounds are one block).
struct SHACryptComputation<F: SHA2Function> {
    static func run(password: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer, rounds: Int, into digest: UnsafeMutableRawPointer) {
        precondition(password.count <= SHACrypt.maximumPasswordBytes && salt.count <= SHACrypt.maximumSaltBytes)
        let digestSize = F.digestSize
        let passwordCount = password.count
        let saltCount = salt.count
        // The longest round message: digest, S, P twice, then 0x80 and the length.
        let messageCapacity = roundUp(digestSize + saltCount + 2 * passwordCount + 1 + F.lengthFieldSize, to: F.blockSize)
        let total = digestSize + passwordCount + saltCount + messageCapacity
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 16)
        scratch.initializeMemory(as: UInt8.self, repeating: 0)
        defer {
            SHACrypt.wipe(scratch)
            scratch.deallocate()
        }
        let a = scratch.baseAddress!                          // A, then each round's C
        let p = a + digestSize                                // the P sequence
        let s = p + passwordCount                             // the S sequence
        let message = s + saltCount                           // a round's padded message
        prepare(password: password, salt: salt, a: a, p: p, s: s)

        // The rounds: C = digest(P or C, S unless i % 3 == 0, P unless i % 7 == 0, C or P).
        var byThree = 0
        var bySeven = 0
        for round in 0..<rounds {
            let odd = round & 1 != 0
            var length = 0
            func append(_ bytes: UnsafeRawPointer, _ count: Int) {
                (message + length).copyMemory(from: bytes, byteCount: count)
                length += count
            }
            if odd { append(p, passwordCount) } else { append(a, digestSize) }
            if byThree != 0 { append(s, saltCount) }
            if bySeven != 0 { append(p, passwordCount) }
            if odd { append(a, digestSize) } else { append(p, passwordCount) }
            let padded = roundUp(length + 1 + F.lengthFieldSize, to: F.blockSize)
            message.storeBytes(of: 0x80, toByteOffset: length, as: UInt8.self)
            // Zeros up to the low 64 bits of the length field (SHA-512's high half stays zero).
            (message + length + 1).initializeMemory(as: UInt8.self, repeating: 0, count: padded - 8 - length - 1)
            message.storeBytes(of: UInt64(length * 8).bigEndian, toByteOffset: padded - 8, as: UInt64.self)
            F.digest(ofPadded: message, count: padded / F.blockSize, into: a)
            byThree = byThree == 2 ? 0 : byThree + 1
            bySeven = bySeven == 6 ? 0 : bySeven + 1
        }
        digest.copyMemory(from: a, byteCount: digestSize)
    }

    /// The steps before the rounds: writes A (`F.digestSize` bytes), P
    /// (`password.count` bytes) and S (`salt.count` bytes).
    static func prepare(
        password: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer,
        a: UnsafeMutableRawPointer, p: UnsafeMutableRawPointer, s: UnsafeMutableRawPointer
    ) {
        let digestSize = F.digestSize
        let passwordCount = password.count
        // B, DP and DS in turn, each used once.
        var workStorage = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var context = F.emptyContext()
        defer {
            withUnsafeMutableBytes(of: &context) { SHACrypt.wipe($0) }
            withUnsafeMutableBytes(of: &workStorage) { SHACrypt.wipe($0) }
        }
        withUnsafeMutableBytes(of: &workStorage) { workBuffer in
            let work = workBuffer.baseAddress!
            let workBytes = UnsafeRawBufferPointer(start: work, count: digestSize)

            // B = digest(password, salt, password).
            F.start(&context)
            F.add(&context, password)
            F.add(&context, salt)
            F.add(&context, password)
            F.finish(&context, digest: work)

            // A = digest(password, salt, B cycled to the password's length, then per
            // bit of that length from the lowest: B for a one, the password for a zero).
            F.start(&context)
            F.add(&context, password)
            F.add(&context, salt)
            addCycled(workBytes, count: passwordCount, to: &context)
            var bits = passwordCount
            while bits > 0 {
                F.add(&context, bits & 1 != 0 ? workBytes : password)
                bits >>= 1
            }
            F.finish(&context, digest: a)

            // P = digest(password repeated once per password byte), cycled to the password's length.
            F.start(&context)
            for _ in 0..<passwordCount {
                F.add(&context, password)
            }
            F.finish(&context, digest: work)
            for index in 0..<passwordCount {
                p.storeBytes(of: work.load(fromByteOffset: index % digestSize, as: UInt8.self), toByteOffset: index, as: UInt8.self)
            }

            // S = digest(salt repeated 16 + A[0] times), cut to the salt's length.
            F.start(&context)
            for _ in 0..<(16 + Int(a.load(as: UInt8.self))) {
                F.add(&context, salt)
            }
            F.finish(&context, digest: work)
            s.copyMemory(from: work, byteCount: salt.count)
        }
    }

    /// Adds `count` bytes of `block` repeated over and over.
    private static func addCycled(_ block: UnsafeRawBufferPointer, count: Int, to context: inout F.Context) {
        var remaining = count
        while remaining >= block.count {
            F.add(&context, block)
            remaining -= block.count
        }
        F.add(&context, UnsafeRawBufferPointer(rebasing: block[0..<remaining]))
    }

    private static func roundUp(_ value: Int, to multiple: Int) -> Int {
        (value + multiple - 1) / multiple * multiple
    }
}

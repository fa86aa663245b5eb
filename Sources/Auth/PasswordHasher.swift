import CCrypt

/// Verifies passwords against stored hashes and makes new hashes: SHA-crypt
/// (`$5$`, `$6$`) through `SHACrypt` on OpenSSL's SHA-2, everything else (and
/// SHA-crypt settings outside the usual shape) through libxcrypt's reentrant
/// `crypt_rn`. Hashing is deliberately slow (milliseconds):
/// callers on a shard thread should run it off the ring thread.
public enum PasswordHasher {
    /// The scheme new hashes use. SHA512-CRYPT is what Dovecot fleets carry, so a
    /// passwd-file written by Mailshard still works with Dovecot and back.
    public static let defaultScheme = PasswordScheme.sha512Crypt

    /// Whether `password` matches `stored`. Comparison time does not depend on
    /// where the first differing byte is.
    public static func verify(_ password: String, against stored: StoredPassword) -> Bool {
        guard stored.scheme.usesCrypt else {
            return constantTimeEqual(Array(password.utf8), Array(stored.hash.utf8))
        }
        guard let computed = crypt(password, setting: stored.hash) else { return false }
        return constantTimeEqual(Array(computed.utf8), Array(stored.hash.utf8))
    }

    /// `verify(_:against:)` for callers that can wait: a `$6$` hash is computed
    /// by `SHACryptBatcher`, together with other logins' when several wait, off
    /// the caller's thread. Same answer, same hashing work per password.
    public static func verifyBatched(_ password: String, against stored: StoredPassword) async -> Bool {
        guard stored.scheme.usesCrypt, let setting = SHACrypt.parse(stored.hash), setting.variant == .sha512,
            let bytes = SHACrypt.acceptedBytes(password)
        else {
            return verify(password, against: stored)
        }
        let computed = await SHACryptBatcher.shared.crypt(password: bytes, setting: setting)
        return constantTimeEqual(Array(computed.utf8), Array(stored.hash.utf8))
    }

    /// A new salted hash of `password` in `scheme` (libxcrypt's default cost).
    public static func hash(_ password: String, scheme: PasswordScheme = defaultScheme) throws -> StoredPassword {
        guard let prefix = scheme.cryptPrefix else {
            return StoredPassword(scheme: .plain, hash: password)
        }
        var settingBuffer = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        // A nil random-bytes argument makes libxcrypt read the OS's CSPRNG.
        let made = crypt_gensalt_rn(prefix, 0, nil, 0, &settingBuffer, Int32(settingBuffer.count))
        guard made != nil else { throw PasswordHashError.saltGenerationFailed(scheme) }
        let setting = String(decoding: settingBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let hashed = crypt(password, setting: setting) else { throw PasswordHashError.hashingFailed(scheme) }
        return StoredPassword(scheme: scheme, hash: hashed)
    }

    /// A hash of the default scheme, made once, that unknown users are checked
    /// against so that "no such user" costs as much time as "wrong password".
    static let decoyHash: StoredPassword = (try? hash("mailshard-decoy")) ?? StoredPassword(scheme: .plain, hash: "")

    /// crypt(3) over `setting`; nil when the setting is rejected (libxcrypt then
    /// returns a "*"-prefixed failure token, which can never equal a real hash).
    static func crypt(_ password: String, setting: String) -> String? {
        if let computed = SHACrypt.crypt(password, setting: setting) {
            return computed
        }
        return libxcrypt(password, setting: setting)
    }

    /// libxcrypt's answer for any scheme it knows (tests compare SHACrypt with it).
    static func libxcrypt(_ password: String, setting: String) -> String? {
        // struct crypt_data is ~32 KiB: on the heap, never on a shard's stack.
        let data = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<crypt_data>.size, alignment: MemoryLayout<crypt_data>.alignment)
        defer { data.deallocate() }
        data.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
        guard let result = crypt_rn(password, setting, data, Int32(MemoryLayout<crypt_data>.size)) else {
            return nil
        }
        let text = String(cString: result)
        return text.hasPrefix("*") ? nil : text
    }
}

/// Why a new hash could not be made.
public enum PasswordHashError: Error, Equatable {
    case saltGenerationFailed(PasswordScheme)
    case hashingFailed(PasswordScheme)
}

/// Equal-length-independent comparison whose time depends only on the lengths.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
    let count = max(a.count, b.count)
    for i in 0..<count {
        let x = i < a.count ? a[i] : 0
        let y = i < b.count ? b[i] : 0
        difference |= x ^ y
    }
    return difference == 0
}

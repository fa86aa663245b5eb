#if canImport(Glibc)
import Glibc
#endif

/// SHA-crypt (`$5$` SHA-256, `$6$` SHA-512), Ulrich Drepper's "Unix crypt using
/// SHA-256 and SHA-512", computed on OpenSSL's assembly block functions. It gives
/// the same strings as libxcrypt, about 1.4 times faster for `$6$` (libxcrypt's
/// portable C SHA-512 is the cost of every login; `$5$` gains more, through the
/// CPU's SHA extensions).
///
/// Only settings in the well-formed shape every tool writes are taken: the
/// prefix, an optional `rounds=N$` (no leading zero, 1000…999,999,999), a salt
/// of crypt's base64 characters, then `$` and base64 characters or nothing; and
/// passwords of at most `maximumPasswordBytes` bytes with no NUL. For anything
/// else `crypt` answers nil and the caller asks libxcrypt, so its handling of
/// odd settings (rejection, clamping) stays the one rule.
enum SHACrypt {
    /// Longer passwords go to libxcrypt; the round buffer is sized by this bound.
    static let maximumPasswordBytes = 255
    /// Salt bytes that count; longer salts are cut, as the algorithm says.
    static let maximumSaltBytes = 16
    static let defaultRounds = 5000
    static let roundsRange = 1000...999_999_999

    enum Variant: Sendable {
        case sha256, sha512

        var prefix: String { self == .sha256 ? "$5$" : "$6$" }
    }

    /// A parsed setting (or stored hash: the part after the salt is ignored).
    struct Setting: Equatable, Sendable {
        var variant: Variant
        var rounds: Int
        /// Whether `rounds=` was written; the output repeats it then, even for 5000.
        var roundsGiven: Bool
        /// The salt as used: at most `maximumSaltBytes` bytes.
        var salt: [UInt8]
    }

    /// The crypt(3) string for `password` under `setting`, or nil when either is
    /// outside the shape described above.
    static func crypt(_ password: String, setting: String) -> String? {
        guard let parsed = parse(setting) else { return nil }
        var password = password
        return password.withUTF8 { bytes -> String? in
            guard bytes.count <= maximumPasswordBytes, !bytes.contains(0) else { return nil }
            return crypt(password: UnsafeRawBufferPointer(bytes), setting: parsed)
        }
    }

    static func crypt(password: UnsafeRawBufferPointer, setting: Setting) -> String {
        var digest = [UInt8](repeating: 0, count: 64)
        let size = digest.withUnsafeMutableBytes { output in
            setting.salt.withUnsafeBytes { salt in
                switch setting.variant {
                case .sha256:
                    SHACryptComputation<SHA256Function>.run(password: password, salt: salt, rounds: setting.rounds, into: output.baseAddress!)
                    return SHA256Function.digestSize
                case .sha512:
                    SHACryptComputation<SHA512Function>.run(password: password, salt: salt, rounds: setting.rounds, into: output.baseAddress!)
                    return SHA512Function.digestSize
                }
            }
        }
        let text = encode(setting: setting, digest: digest.prefix(size))
        digest.withUnsafeMutableBytes { wipe($0) }
        return text
    }

    /// The crypt(3) string: prefix, `rounds=` when given, salt, `$`, the digest.
    static func encode(setting: Setting, digest: ArraySlice<UInt8>) -> String {
        var text = setting.variant.prefix
        if setting.roundsGiven {
            text += "rounds=\(setting.rounds)$"
        }
        text += String(decoding: setting.salt, as: UTF8.self)
        text += "$"
        text += SHACryptEncoding.encode(digest, variant: setting.variant)
        return text
    }

    /// The password's bytes when SHA-crypt here takes it (see the type's note).
    static func acceptedBytes(_ password: String) -> [UInt8]? {
        let bytes = Array(password.utf8)
        guard bytes.count <= maximumPasswordBytes, !bytes.contains(0) else { return nil }
        return bytes
    }

    /// Parses `$5$` / `$6$` settings of the accepted shape; nil otherwise.
    static func parse(_ setting: String) -> Setting? {
        let bytes = Array(setting.utf8)
        guard bytes.count >= 4, bytes[0] == UInt8(ascii: "$"), bytes[2] == UInt8(ascii: "$") else { return nil }
        let variant: Variant
        switch bytes[1] {
        case UInt8(ascii: "5"): variant = .sha256
        case UInt8(ascii: "6"): variant = .sha512
        default: return nil
        }
        var index = 3
        var rounds = defaultRounds
        var roundsGiven = false
        let roundsTag = Array("rounds=".utf8)
        if bytes.count >= index + roundsTag.count, Array(bytes[index..<index + roundsTag.count]) == roundsTag {
            index += roundsTag.count
            guard index < bytes.count, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            var value = 0
            var digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
                guard digits <= 9 else { return nil }
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "$"), roundsRange.contains(value) else { return nil }
            index += 1
            rounds = value
            roundsGiven = true
        }
        let saltStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "$") {
            guard SHACryptEncoding.isAlphabet(bytes[index]) else { return nil }
            index += 1
        }
        guard index > saltStart else { return nil }
        let salt = Array(bytes[saltStart..<min(index, saltStart + maximumSaltBytes)])
        if index < bytes.count {
            // What follows the salt's `$` is the stored hash, if any.
            guard bytes[(index + 1)...].allSatisfy(SHACryptEncoding.isAlphabet) else { return nil }
        }
        return Setting(variant: variant, rounds: rounds, roundsGiven: roundsGiven, salt: salt)
    }

    /// Overwrites secret intermediate bytes before their memory is given back.
    static func wipe(_ bytes: UnsafeMutableRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        explicit_bzero(base, bytes.count)
    }
}

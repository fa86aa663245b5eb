import Testing
@testable import Auth

/// Hashes of "secret" made by other tools (OpenSSL, Python over libxcrypt), so
/// verification is checked against the outside world, not against ourselves.
struct KnownHash: Sendable, CustomStringConvertible {
    let field: String
    var description: String { field }
}

@Suite struct PasswordHasherTests {
    static let knownHashes = [
        KnownHash(field: "{SHA512-CRYPT}$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"),
        KnownHash(field: "{SHA256-CRYPT}$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA"),
        KnownHash(field: "{BLF-CRYPT}$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a"),
        KnownHash(field: "{CRYPT}$y$j9T$abcdefghijklmnop$3dL1LkYnZM.OVXuVdnnaKVDlLYT92dRwOzDZ5XiVCe."),
        KnownHash(field: "$1$saltsalt$9xy1btjgzLYfb7hivXtC//"),
        KnownHash(field: "{PLAIN}secret"),
        KnownHash(field: "{cleartext}secret"),
    ]

    @Test(arguments: knownHashes)
    func verifiesHashesMadeElsewhere(hash: KnownHash) throws {
        let stored = try #require(StoredPassword(field: hash.field))
        #expect(PasswordHasher.verify("secret", against: stored))
        #expect(!PasswordHasher.verify("Secret", against: stored))
        #expect(!PasswordHasher.verify("", against: stored))
        #expect(!PasswordHasher.verify("secret ", against: stored))
    }

    @Test func noPrefixMeansCrypt() throws {
        let stored = try #require(StoredPassword(field: "$1$saltsalt$9xy1btjgzLYfb7hivXtC//"))
        #expect(stored.scheme == .crypt)
    }

    @Test func unknownSchemeIsRefused() {
        #expect(StoredPassword(field: "{NTLM}abcdef") == nil)
    }

    @Test(arguments: [PasswordScheme.sha512Crypt, .sha256Crypt, .blowfishCrypt, .crypt, .plain])
    func newHashesVerifyAndAreSalted(scheme: PasswordScheme) throws {
        let first = try PasswordHasher.hash("correct horse", scheme: scheme)
        #expect(first.scheme == scheme)
        #expect(PasswordHasher.verify("correct horse", against: first))
        #expect(!PasswordHasher.verify("correct horsE", against: first))
        if scheme != .plain {
            let second = try PasswordHasher.hash("correct horse", scheme: scheme)
            #expect(first.hash != second.hash, "two hashes of one password share a salt")
            #expect(first.hash.hasPrefix(scheme.cryptPrefix!))
        }
        // Round trip through the passwd-file spelling.
        #expect(StoredPassword(field: first.description) == first)
    }

    @Test func brokenCryptSettingNeverMatches() {
        let stored = StoredPassword(scheme: .sha512Crypt, hash: "*0")
        #expect(!PasswordHasher.verify("*0", against: stored))
        #expect(!PasswordHasher.verify("", against: StoredPassword(scheme: .crypt, hash: "")))
    }

    @Test func constantTimeEqualityIsEquality() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(!constantTimeEqual([], [0]))
        #expect(constantTimeEqual([], []))
    }
}

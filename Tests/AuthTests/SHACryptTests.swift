import Testing
@testable import Auth

/// A password and a crypt(3) setting; the expected string, when the test knows it.
struct CryptCase: Sendable, CustomStringConvertible {
    let password: String
    let setting: String
    var expected: String? = nil
    var description: String { "\(setting) / \(password.utf8.count) bytes" }
}

@Suite struct SHACryptTests {
    /// The test vectors of Drepper's specification ("Unix crypt using SHA-256 and
    /// SHA-512"), as libxcrypt on this system also gives them.
    static let specificationVectors = [
        CryptCase(password: "Hello world!", setting: "$5$rounds=10000$saltstringsaltstring",
                  expected: "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA"),
        CryptCase(password: "This is just a test", setting: "$5$rounds=5000$toolongsaltstring",
                  expected: "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5"),
        CryptCase(password: "a very much longer text to encrypt.  This one even stretches over morethan one line.",
                  setting: "$5$rounds=1400$anotherlongsaltstring",
                  expected: "$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1"),
        CryptCase(password: "we have a short salt string but not a short password", setting: "$5$rounds=77777$short",
                  expected: "$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/"),
        CryptCase(password: "a short string", setting: "$5$rounds=123456$asaltof16chars..",
                  expected: "$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD"),
        CryptCase(password: "Hello world!", setting: "$6$saltstring",
                  expected: "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"),
        CryptCase(password: "Hello world!", setting: "$6$rounds=10000$saltstringsaltstring",
                  expected: "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."),
        CryptCase(password: "This is just a test", setting: "$6$rounds=5000$toolongsaltstring",
                  expected: "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0"),
        CryptCase(password: "a very much longer text to encrypt.  This one even stretches over morethan one line.",
                  setting: "$6$rounds=1400$anotherlongsaltstring",
                  expected: "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1"),
        CryptCase(password: "we have a short salt string but not a short password", setting: "$6$rounds=77777$short",
                  expected: "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0"),
        CryptCase(password: "a short string", setting: "$6$rounds=123456$asaltof16chars..",
                  expected: "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1"),
    ]

    @Test(arguments: specificationVectors)
    func specificationVectorsMatch(vector: CryptCase) {
        #expect(SHACrypt.crypt(vector.password, setting: vector.setting) == vector.expected)
        #expect(PasswordHasher.crypt(vector.password, setting: vector.setting) == vector.expected)
    }

    /// Password lengths around every block and digest boundary of both functions
    /// (the P sequence cycles a 32- or 64-byte digest; a round message spills into
    /// a second block), salts of 1 to 20 characters (cut at 16), default and
    /// explicit rounds.
    static let boundaryCases: [CryptCase] = {
        let lengths = [0, 1, 7, 8, 15, 16, 17, 24, 31, 32, 33, 47, 48, 63, 64, 65, 96, 127, 128, 129, 200, 255]
        let saltCharacters = Array("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var cases: [CryptCase] = []
        for (index, length) in lengths.enumerated() {
            let password = String((0..<length).map { Character(UnicodeScalar(UInt8(33 + ($0 * 7 + index) % 94))) })
            let salt = String((0..<(1 + index % 20)).map { saltCharacters[($0 * 5 + index) % 64] })
            let rounds = index % 3 == 0 ? "" : "rounds=\(1000 + index)$"
            cases.append(CryptCase(password: password, setting: "$6$\(rounds)\(salt)"))
            cases.append(CryptCase(password: password, setting: "$5$\(rounds)\(salt)$"))
        }
        cases.append(CryptCase(password: "pässwörd ✓ 密码", setting: "$6$Unicode.salt"))
        cases.append(CryptCase(password: "pässwörd ✓ 密码", setting: "$5$Unicode.salt"))
        cases.append(CryptCase(password: "loadpass", setting: "$6$rounds=5000$explicitdefault"))
        cases.append(CryptCase(password: "loadpass", setting: "$5$rounds=5000$explicitdefault"))
        cases.append(CryptCase(password: "x", setting: "$6$rounds=1000$a"))
        return cases
    }()

    @Test(arguments: boundaryCases)
    func matchesLibxcrypt(test: CryptCase) throws {
        let ours = try #require(SHACrypt.crypt(test.password, setting: test.setting))
        #expect(ours == PasswordHasher.libxcrypt(test.password, setting: test.setting))
        // A stored hash is its own setting: verifying recomputes the same string.
        #expect(SHACrypt.crypt(test.password, setting: ours) == ours)
    }

    @Test func explicitRoundsAreRepeatedEvenAtTheDefault() throws {
        let text = try #require(SHACrypt.crypt("loadpass", setting: "$6$rounds=5000$saltsalt"))
        #expect(text.hasPrefix("$6$rounds=5000$saltsalt$"))
        let implicit = try #require(SHACrypt.crypt("loadpass", setting: "$6$saltsalt"))
        #expect(implicit.hasPrefix("$6$saltsalt$"))
        #expect(text.split(separator: "$").last == implicit.split(separator: "$").last)
    }

    /// Settings outside the usual shape are left to libxcrypt, whose answer
    /// (often a rejection) stays the rule.
    static let otherShapes = [
        "$6$rounds=10$roundstoolow", "$6$rounds=01000$salt", "$6$rounds=1000", "$6$rounds=$salt",
        "$6$rounds=1000000000$salt", "$6$rounds=99999999999$salt", "$6$", "$6$$", "$6$sa:lt$",
        "$6$sa lt", "$6$salt$has*star", "$5$salt$new\nline", "$7$salt", "$1$saltsalt$", "$y$j9T$abcdefghijklmnop$",
        "6$salt", "",
    ]

    @Test(arguments: otherShapes)
    func otherShapesGoToLibxcrypt(setting: String) {
        #expect(SHACrypt.parse(setting) == nil)
        #expect(SHACrypt.crypt("secret", setting: setting) == nil)
        #expect(PasswordHasher.crypt("secret", setting: setting) == PasswordHasher.libxcrypt("secret", setting: setting))
    }

    @Test func unusualPasswordsGoToLibxcrypt() {
        let long = String(repeating: "p", count: SHACrypt.maximumPasswordBytes + 1)
        #expect(SHACrypt.crypt(long, setting: "$6$saltsalt") == nil)
        #expect(PasswordHasher.crypt(long, setting: "$6$saltsalt") == PasswordHasher.libxcrypt(long, setting: "$6$saltsalt"))
        #expect(PasswordHasher.crypt(long, setting: "$6$saltsalt") != nil)
        #expect(SHACrypt.crypt("nul\u{0}inside", setting: "$6$saltsalt") == nil)
    }

    @Test func parsesTheParts() throws {
        let setting = try #require(SHACrypt.parse("$5$rounds=1234$abcdefghijklmnopqrst$hash./09"))
        #expect(setting == SHACrypt.Setting(variant: .sha256, rounds: 1234, roundsGiven: true, salt: Array("abcdefghijklmnop".utf8)))
        let plain = try #require(SHACrypt.parse("$6$abc"))
        #expect(plain == SHACrypt.Setting(variant: .sha512, rounds: 5000, roundsGiven: false, salt: Array("abc".utf8)))
    }
}

/// A password scheme as Dovecot's passwd-files name them (`{SHA512-CRYPT}$6$…`).
/// Names are case-insensitive; a hash with no `{SCHEME}` prefix is `CRYPT`,
/// which is Dovecot's default for passwd-files.
public enum PasswordScheme: String, Sendable, CaseIterable {
    /// Any crypt(3) hash libxcrypt understands: yescrypt (`$y$`), SHA-crypt,
    /// bcrypt, MD5-crypt, DES.
    case crypt = "CRYPT"
    case sha512Crypt = "SHA512-CRYPT"
    case sha256Crypt = "SHA256-CRYPT"
    case blowfishCrypt = "BLF-CRYPT"
    /// The password itself. Dovecot also spells it `CLEARTEXT`.
    case plain = "PLAIN"

    /// Parses a scheme name, accepting Dovecot's aliases.
    public init?(name: some StringProtocol) {
        let upper = name.uppercased()
        if upper == "CLEARTEXT" {
            self = .plain
        } else if let scheme = PasswordScheme(rawValue: upper) {
            self = scheme
        } else {
            return nil
        }
    }

    /// The crypt(3) setting prefix used when hashing a new password.
    var cryptPrefix: String? {
        switch self {
        case .sha512Crypt: "$6$"
        case .sha256Crypt: "$5$"
        case .blowfishCrypt: "$2b$"
        case .crypt: "$y$"
        case .plain: nil
        }
    }

    /// Whether verification goes through crypt(3).
    var usesCrypt: Bool { self != .plain }
}

/// A stored password: its scheme and the hash (or, for PLAIN, the password).
public struct StoredPassword: Sendable, Equatable, CustomStringConvertible {
    public let scheme: PasswordScheme
    public let hash: String

    public init(scheme: PasswordScheme, hash: String) {
        self.scheme = scheme
        self.hash = hash
    }

    /// Parses the password field of a passwd-file line. `nil` when the field
    /// names a scheme Mailshard does not implement, so the caller can refuse
    /// the entry by name rather than compare against garbage.
    public init?(field: String) {
        guard field.hasPrefix("{"), let close = field.firstIndex(of: "}") else {
            self.init(scheme: .crypt, hash: field)
            return
        }
        guard let scheme = PasswordScheme(name: field[field.index(after: field.startIndex)..<close]) else {
            return nil
        }
        self.init(scheme: scheme, hash: String(field[field.index(after: close)...]))
    }

    /// The passwd-file spelling: `{SCHEME}hash`.
    public var description: String { "{\(scheme.rawValue)}\(hash)" }
}

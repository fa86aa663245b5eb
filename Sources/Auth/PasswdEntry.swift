/// One user line of a Dovecot-compatible passwd-file:
/// `user:password:uid:gid:gecos:home:shell:extra_fields`. Only the user and
/// password are required; Mailshard keeps the other fields so a file it edits
/// stays usable by Dovecot, and reads `home` and the extra fields.
public struct PasswdEntry: Sendable, Equatable {
    public var user: String
    public var password: StoredPassword
    /// Fields 3 to 8 as written (uid, gid, gecos, home, shell, extra fields);
    /// missing ones are empty.
    public var otherFields: [String]

    public init(user: String, password: StoredPassword, otherFields: [String] = []) {
        self.user = user
        self.password = password
        self.otherFields = otherFields
    }

    /// The home directory, when the line names one.
    public var home: String? {
        otherFields.count > 3 && !otherFields[3].isEmpty ? otherFields[3] : nil
    }

    /// `key=value` extra fields (Dovecot's userdb/passdb extras, space separated).
    public var extraFields: [String: String] {
        guard otherFields.count > 5 else { return [:] }
        var result: [String: String] = [:]
        for item in otherFields[5].split(separator: " ") {
            if let eq = item.firstIndex(of: "=") {
                result[String(item[..<eq])] = String(item[item.index(after: eq)...])
            } else {
                result[String(item)] = ""
            }
        }
        return result
    }

    /// The line as it is written to the file.
    public var line: String {
        var fields = [user, password.description] + otherFields
        while fields.count > 2, fields.last?.isEmpty == true { fields.removeLast() }
        return fields.joined(separator: ":")
    }
}

/// A user name Mailshard accepts. Names become directory names in the store and
/// fields of a colon-separated file, so those characters are refused outright.
public enum UserName {
    public static let maximumLength = 255

    /// Why `name` cannot be a user name, or nil when it can.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "the user name is empty" }
        if name.utf8.count > maximumLength { return "the user name is longer than \(maximumLength) bytes" }
        if name == "." || name == ".." { return "the user name cannot be \(name)" }
        for byte in name.utf8 where byte < 0x21 || byte == 0x7F || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/") {
            return "the user name contains a space, control character, ':' or '/'"
        }
        return nil
    }
}

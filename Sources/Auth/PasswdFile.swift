#if canImport(Glibc)
import Glibc
#endif

/// The contents of a passwd-file, line by line. Comments, blank lines and lines
/// Mailshard cannot use are kept verbatim so that editing one user never
/// rewrites what an operator wrote by hand.
public struct PasswdFile: Sendable, Equatable {
    enum Line: Sendable, Equatable {
        case user(PasswdEntry)
        /// A comment, a blank line, or a line that is not a usable entry.
        case verbatim(String)
    }

    private(set) var lines: [Line]
    /// Problems found while parsing, one per unusable line (`line N: reason`).
    public private(set) var problems: [String]

    public init() {
        lines = []
        problems = []
    }

    /// Parses a whole file's text.
    public init(text: String) {
        self.init()
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.isEmpty || line.hasPrefix("#") {
                lines.append(.verbatim(line))
                continue
            }
            switch PasswdFile.parseEntry(line) {
            case .success(let entry):
                lines.append(.user(entry))
            case .failure(let problem):
                problems.append("line \(number): \(problem.reason)")
                lines.append(.verbatim(line))
            }
        }
        // A trailing newline yields one empty final piece; drop it so the file
        // round-trips exactly.
        if case .verbatim("") = lines.last, text.hasSuffix("\n") { lines.removeLast() }
    }

    struct LineProblem: Error { let reason: String }

    static func parseEntry(_ line: String) -> Result<PasswdEntry, LineProblem> {
        let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 2 else { return .failure(LineProblem(reason: "no password field")) }
        if let problem = UserName.problem(with: fields[0]) { return .failure(LineProblem(reason: problem)) }
        guard let password = StoredPassword(field: fields[1]) else {
            return .failure(LineProblem(reason: "unsupported password scheme in \(fields[1].prefix { $0 != "}" })}"))
        }
        // The extra fields come last and may themselves hold colons
        // (`userdb_quota_rule=*:storage=1G`), so everything after the shell is one field.
        var otherFields = Array(fields.dropFirst(2).prefix(5))
        if fields.count > 7 { otherFields.append(fields[7...].joined(separator: ":")) }
        return .success(PasswdEntry(user: fields[0], password: password, otherFields: otherFields))
    }

    /// Every usable entry, in file order.
    public var entries: [PasswdEntry] {
        lines.compactMap { if case .user(let entry) = $0 { entry } else { nil } }
    }

    /// The entry for `user`; the first one wins when a name repeats (as in Dovecot).
    public func entry(for user: String) -> PasswdEntry? {
        for case .user(let entry) in lines where entry.user == user { return entry }
        return nil
    }

    /// Adds `entry`, or replaces the password of the existing user of that name
    /// while keeping its other fields.
    public mutating func upsert(_ entry: PasswdEntry) {
        for index in lines.indices {
            if case .user(var existing) = lines[index], existing.user == entry.user {
                existing.password = entry.password
                if !entry.otherFields.isEmpty { existing.otherFields = entry.otherFields }
                lines[index] = .user(existing)
                return
            }
        }
        lines.append(.user(entry))
    }

    /// Removes `user`; false when there was no such user.
    @discardableResult
    public mutating func remove(user: String) -> Bool {
        let before = lines.count
        lines.removeAll { if case .user(let entry) = $0 { entry.user == user } else { false } }
        return lines.count != before
    }

    /// The file's text.
    public var text: String {
        lines.map { line in
            switch line {
            case .user(let entry): entry.line
            case .verbatim(let text): text
            }
        }.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }
}

extension PasswdFile {
    /// Reads and parses the file at `path`.
    public static func read(path: String) throws(PasswdFileError) -> PasswdFile {
        PasswdFile(text: try readWholeFile(path))
    }

    /// Writes the file durably and atomically: a temporary file beside it,
    /// fsync, rename over the old one, fsync of the directory. Mode 0600: it
    /// holds password hashes.
    public func write(path: String) throws(PasswdFileError) {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system("open \(temporary)", errno) }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(temporary)
                throw .system("write \(temporary)", code)
            }
            written += n
        }
        bytes.removeAll()
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            unlink(temporary)
            throw .system("fsync \(temporary)", code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .system("rename \(temporary)", code)
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let dirfd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    private static func readWholeFile(_ path: String) throws(PasswdFileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system("open \(path)", errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system("read \(path)", errno)
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: result, as: UTF8.self)
    }
}

/// A passwd-file that could not be read or written.
public enum PasswdFileError: Error, Equatable, CustomStringConvertible {
    case system(String, Int32)

    public var description: String {
        switch self {
        case .system(let what, let code): "\(what): \(String(cString: strerror(code)))"
        }
    }

    /// Whether the file simply does not exist.
    public var isMissingFile: Bool {
        if case .system(_, let code) = self { code == ENOENT } else { false }
    }
}

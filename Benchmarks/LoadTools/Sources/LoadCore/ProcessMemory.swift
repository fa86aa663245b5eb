#if canImport(Glibc)
import Glibc
#endif

/// Resident (RSS) and proportional (PSS) memory of a process tree, in KiB, from
/// `/proc/<pid>/smaps_rollup`. PSS splits shared pages among the processes sharing them,
/// so summing PSS over Dovecot's per-connection processes counts each page once.
public struct MemoryUsage: Sendable, Equatable, Codable {
    public var rssKiB: UInt64
    public var pssKiB: UInt64
    public var processes: Int

    public init(rssKiB: UInt64 = 0, pssKiB: UInt64 = 0, processes: Int = 0) {
        self.rssKiB = rssKiB
        self.pssKiB = pssKiB
        self.processes = processes
    }
}

public enum ProcessMemory {
    /// Parses the `Rss:` and `Pss:` lines of an smaps_rollup text.
    public static func parseRollup(_ text: String) -> MemoryUsage? {
        var rss: UInt64?
        var pss: UInt64?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2 else { continue }
            if fields[0] == "Rss:" { rss = UInt64(fields[1]) }
            if fields[0] == "Pss:" { pss = UInt64(fields[1]) }
        }
        guard let rss, let pss else { return nil }
        return MemoryUsage(rssKiB: rss, pssKiB: pss, processes: 1)
    }

    /// The parent PID from a `/proc/<pid>/stat` line (the field after the `(comm)`).
    public static func parentPID(fromStat text: String) -> Int32? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count >= 2 else { return nil }
        return Int32(fields[1])
    }

    /// `pid` and all its descendants.
    public static func processTree(root pid: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for entry in directoryEntries("/proc") {
            guard let child = Int32(entry), let stat = readFile("/proc/\(entry)/stat"), let parent = parentPID(fromStat: stat) else { continue }
            children[parent, default: []].append(child)
        }
        var tree: [Int32] = []
        var queue = [pid]
        while let next = queue.popLast() {
            tree.append(next)
            queue.append(contentsOf: children[next] ?? [])
        }
        return tree
    }

    /// Summed usage of `pid`'s process tree (processes that vanish meanwhile are skipped).
    public static func treeUsage(root pid: Int32) -> MemoryUsage {
        var total = MemoryUsage()
        for process in processTree(root: pid) {
            guard let text = readFile("/proc/\(process)/smaps_rollup"), let usage = parseRollup(text) else { continue }
            total.rssKiB += usage.rssKiB
            total.pssKiB += usage.pssKiB
            total.processes += 1
        }
        return total
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: result, as: UTF8.self)
    }

    static func directoryEntries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            names.append(name)
        }
        return names
    }
}

/// Raises the open-file limit to what a run needs (up to the hard limit, or beyond it
/// when running as root). Returns the soft limit in force afterwards.
public enum FileLimit {
    @discardableResult
    public static func raise(to wanted: UInt64) -> UInt64 {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let wanted = rlim_t(wanted)
        if limit.rlim_cur >= wanted { return UInt64(limit.rlim_cur) }
        var raised = limit
        raised.rlim_cur = wanted
        if raised.rlim_max < wanted { raised.rlim_max = wanted }
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) != 0 {
            raised = limit
            raised.rlim_cur = limit.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised)
        }
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return UInt64(limit.rlim_cur)
    }
}

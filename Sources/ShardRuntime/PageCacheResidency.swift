import CURing
#if canImport(Glibc)
import Glibc
#endif

/// Whether a byte range of a file is wholly in the page cache, asked of the kernel
/// with cachestat(2) (Linux 6.5+). The inline file send uses it so that sendfile(2)
/// on the shard thread never waits for the disk: a range with a page missing goes by
/// the splice chain, whose reads run on an io-wq worker.
///
/// Invariant: the two structs below match the kernel's `struct cachestat_range` and
/// `struct cachestat` (u64 fields, no padding) and live on this function's stack only
/// for the one system call.
enum PageCacheResidency {
    /// True when every page of `offset ..< offset + count` of `descriptor` is cached;
    /// false when one is not, or when the kernel cannot tell (no cachestat: ENOSYS).
    static func isResident(descriptor: Int32, offset: UInt64, count: Int) -> Bool {
        guard count > 0 else { return true }
        var range = CachestatRange(offset: offset, length: UInt64(count))
        var stat = Cachestat()
        let result = withUnsafeMutablePointer(to: &range) { rangePointer in
            withUnsafeMutablePointer(to: &stat) { statPointer in
                linuxSyscall(cachestatNumber, Int(descriptor), Int(bitPattern: rangePointer), Int(bitPattern: statPointer), 0)
            }
        }
        guard result == 0 else { return false }
        let page = UInt64(pageSize)
        let pages = (offset + UInt64(count) - 1) / page - offset / page + 1
        return stat.cached >= pages
    }

    /// cachestat's number in the generic syscall table (x86-64 and arm64 alike).
    private static let cachestatNumber = 451
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    private struct CachestatRange {
        var offset: UInt64
        var length: UInt64
    }

    private struct Cachestat {
        var cached: UInt64 = 0
        var dirty: UInt64 = 0
        var writeback: UInt64 = 0
        var evicted: UInt64 = 0
        var recentlyEvicted: UInt64 = 0
    }
}

/// glibc's `syscall(2)`: C-variadic, so not imported; declared with the fixed integer
/// arguments cachestat takes (glibc's assembly entry reads them from registers and
/// ignores the variadic register count). Returns -1 with `errno` set on failure.
@_silgen_name("syscall")
private func linuxSyscall(_ number: Int, _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Int

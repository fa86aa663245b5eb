#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Group commit for message bodies: writers that have written a body wait here
/// until one `syncfs` (or, with `.perFile`, their own `fdatasync`) has made it
/// durable. One instance per data root, shared by every mailbox under it, so
/// appends to different mailboxes share flushes too.
final class BodySyncer: Sendable {
    private let io: any FileIO
    private let strategy: BodySync
    /// A descriptor on the data root's filesystem, owned for `syncfs`.
    private let rootFD: Int32
    private let group = GroupCommit(publish: { _ in })

    init(directory: String, options: StoreOptions) throws {
        io = options.io
        strategy = options.bodySync
        rootFD = try options.io.open(directory, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, mode: 0)
    }

    deinit { io.close(rootFD) }

    /// Returns once the file open as `fd` (already written) is durable.
    func makeDurable(_ fd: Int32) async throws {
        switch strategy {
        case .perFile:
            try await io.sync(fd)
        case .filesystem:
            let ticket = group.issue(event: nil)
            try await group.waitDurable(ticket) { [self] in try await io.syncFilesystem(rootFD) }
        }
    }
}

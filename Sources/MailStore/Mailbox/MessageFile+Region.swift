/// One message's bytes inside a region of a pack held in memory (a `ReadWindow`
/// or a `MappedFile`): the region stays alive as long as any message read from it.
///
/// Invariants: `range` lies inside `window.bytes` (checked by the only caller,
/// `MessageFile.init(region:…)`), and those bytes never change (`FileBytes`).
final class RegionSlice: FileBytes, @unchecked Sendable {
    private let window: any FileBytes
    private let range: Range<Int>

    init(window: any FileBytes, range: Range<Int>) {
        self.window = window
        self.range = range
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: window.bytes[range]) }
}

extension MessageFile {
    /// The small body at `offset` in a pack, sliced from `region` (read from that
    /// pack, with the body at `start` in it); nil when the region does not hold all
    /// of the body, its structure length and its structure.
    convenience init?(region: any FileBytes, at start: Int, packPath: String, offset: Int, bodySize: Int) {
        let available = region.bytes.count
        guard start >= 0, bodySize <= available - 4, start <= available - bodySize - 4 else { return nil }
        let structureLength = Int(UInt32(littleEndian: region.bytes.loadUnaligned(
            fromByteOffset: start + bodySize, as: UInt32.self)))
        let end = start + bodySize + 4 + structureLength
        guard end <= available else { return nil }
        self.init(bytes: RegionSlice(window: region, range: start..<end), bodySize: bodySize,
                  structureLength: structureLength, path: packPath, offset: offset)
    }
}

extension MessageFile {
    /// The small body at `offset` in a pack, sliced from `region` (read from that
    /// pack, with the body at `start` in it); nil when the region does not hold all
    /// of the body, its structure length and its structure.
    /// The region stays alive as long as any message read from it.
    convenience init?(region: any FileBytes, at start: Int, packPath: String, offset: Int, bodySize: Int, io: some FileIO) {
        let available = region.bytes.count
        guard start >= 0, bodySize <= available - 4, start <= available - bodySize - 4 else { return nil }
        let structureLength = Int(UInt32(littleEndian: region.bytes.loadUnaligned(
            fromByteOffset: start + bodySize, as: UInt32.self)))
        let end = start + bodySize + 4 + structureLength
        guard end <= available else { return nil }
        // The region itself, with the body's start: no object per message.
        self.init(bytes: region, start: start, bodySize: bodySize,
                  structureLength: structureLength, path: packPath, offset: offset, io: io)
    }
}

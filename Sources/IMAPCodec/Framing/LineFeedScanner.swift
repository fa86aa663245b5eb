/// Finds the next line feed in received bytes: the framing hot path.
///
/// Two implementations with one contract, so tests can hold the SIMD path to the scalar
/// one. SIMD: 32 bytes a step, the compare mask reduced through `SIMD4<UInt64>` (a
/// `SIMD32.any()` call is not inlined, see FIELD-NOTES.md), the lane found from the
/// mask's bytes; the scalar loop finishes short tails.
///
/// Invariant: `base` points at `count` initialised bytes for the duration of the call.
enum LineFeedScanner {
    /// The offset of the first LF in `base[from..<count]`, or nil.
    @inline(__always)
    static func firstLineFeed(_ base: UnsafePointer<UInt8>, from: Int, count: Int, simd: Bool) -> Int? {
        simd ? firstLineFeedSIMD(base, from: from, count: count) : firstLineFeedScalar(base, from: from, count: count)
    }

    static func firstLineFeedScalar(_ base: UnsafePointer<UInt8>, from: Int, count: Int) -> Int? {
        var index = from
        while index < count {
            if base[index] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    static func firstLineFeedSIMD(_ base: UnsafePointer<UInt8>, from: Int, count: Int) -> Int? {
        #if _endian(big)
        // The lane arithmetic below assumes lane 0 is the low byte of each word.
        return firstLineFeedScalar(base, from: from, count: count)
        #else
        var index = from
        let raw = UnsafeRawPointer(base)
        let lineFeeds = SIMD32<UInt8>(repeating: 0x0A)
        while index + 32 <= count {
            let chunk = raw.loadUnaligned(fromByteOffset: index, as: SIMD32<UInt8>.self)
            let hits = unsafeBitCast(
                SIMD32<UInt8>(repeating: 0).replacing(with: 0xFF, where: chunk .== lineFeeds), to: SIMD4<UInt64>.self)
            if (hits[0] | hits[1] | hits[2] | hits[3]) != 0 {
                for lane in 0..<4 where hits[lane] != 0 {
                    return index + lane * 8 + hits[lane].trailingZeroBitCount / 8
                }
            }
            index += 32
        }
        return firstLineFeedScalar(base, from: index, count: count)
        #endif
    }
}

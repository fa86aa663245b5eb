/// Finds an ASCII string in raw bytes, ignoring the case of ASCII letters, sixteen
/// candidate positions at a time: the way SEARCH BODY scans a plain text part in
/// place, without copying, decoding or folding it first.
///
/// The filter compares two bytes of the needle (its two rarest, by a fixed table of
/// how common each byte is in mail text) at sixteen consecutive start positions
/// with one SIMD compare each; only a start where both agree is compared in full.
/// A letter is compared as `byte | 0x20`, which equals a lowercase letter exactly
/// for that letter in either case, so no candidate is lost. On mail text the full
/// comparison then runs on a few positions per kilobyte.
///
/// Prepared once per SEARCH key (it chooses the anchors), used for every message.
struct ASCIICaseInsensitiveFinder: Sendable {
    /// The needle, lowercased; never empty, all bytes below 0x80.
    let needle: [UInt8]
    private let first: Anchor
    private let second: Anchor

    /// One byte of the needle that the filter compares.
    private struct Anchor: Sendable {
        var offset: Int
        /// The lowercase byte, and 0x20 when it is a letter (OR-ed into the haystack byte).
        var byte: UInt8
        var caseBit: UInt8
    }

    /// A finder for `lowercasedNeedle` (ASCII, already lowercased); nil when it is
    /// empty or holds a byte of 0x80 or above.
    init?(lowercasedNeedle: [UInt8]) {
        guard !lowercasedNeedle.isEmpty, lowercasedNeedle.allSatisfy({ $0 < 0x80 }) else { return nil }
        needle = lowercasedNeedle
        // The rarest byte first; the second rarest at another offset, preferring a
        // different byte (two equal anchors filter little more than one).
        let ranked = lowercasedNeedle.indices.sorted { a, b in
            let (ra, rb) = (Self.commonness(lowercasedNeedle[a]), Self.commonness(lowercasedNeedle[b]))
            return ra != rb ? ra < rb : a < b
        }
        let firstOffset = ranked[0]
        let secondOffset = ranked.dropFirst().first { lowercasedNeedle[$0] != lowercasedNeedle[firstOffset] }
            ?? ranked.dropFirst().first ?? firstOffset
        func anchor(_ offset: Int) -> Anchor {
            let byte = lowercasedNeedle[offset]
            let isLetter = byte >= 0x61 && byte <= 0x7A
            return Anchor(offset: offset, byte: byte, caseBit: isLetter ? 0x20 : 0)
        }
        first = anchor(firstOffset)
        second = anchor(secondOffset)
    }

    /// How common `byte` is in mail text, higher for more common (a letter's
    /// rank in English text; separators and line ends the most common; digits and
    /// punctuation are rarer than any letter).
    private static func commonness(_ byte: UInt8) -> Int {
        let byFrequency: [UInt8] = Array("zjqxkvbpygfwmucldrhsnioate".utf8)
        if byte == 0x20 || byte == 0x0D || byte == 0x0A { return 100 }
        if let rank = byFrequency.firstIndex(of: byte) { return 10 + rank }
        return 0
    }

    /// True when `haystack` contains the needle, ASCII letters compared without case.
    func isFound(in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = needle.count
        guard haystack.count >= count, let base = haystack.baseAddress else { return false }
        let lastStart = haystack.count - count
        var start = 0
        let firstByte = SIMD16<UInt8>(repeating: first.byte), firstCase = SIMD16<UInt8>(repeating: first.caseBit)
        let secondByte = SIMD16<UInt8>(repeating: second.byte), secondCase = SIMD16<UInt8>(repeating: second.caseBit)
        let raw = UnsafeRawPointer(base)
        // Starts `start ..< start + 16` are all ≤ lastStart, so both loads (at most
        // `count - 1` past the last start) stay inside the haystack.
        while start + 16 <= lastStart + 1 {
            let a = raw.loadUnaligned(fromByteOffset: start + first.offset, as: SIMD16<UInt8>.self)
            let b = raw.loadUnaligned(fromByteOffset: start + second.offset, as: SIMD16<UInt8>.self)
            let hits = ((a | firstCase) .== firstByte) .& ((b | secondCase) .== secondByte)
            if any(hits) {
                for lane in 0..<16 where hits[lane] && matches(at: start + lane, base) { return true }
            }
            start += 16
        }
        while start <= lastStart {
            if matches(at: start, base) { return true }
            start += 1
        }
        return false
    }

    @inline(__always)
    private func matches(at start: Int, _ base: UnsafePointer<UInt8>) -> Bool {
        needle.withUnsafeBufferPointer { pattern in
            for index in 0..<pattern.count where FieldName.lower(base[start + index]) != pattern[index] { return false }
            return true
        }
    }
}

/// A read position over the bytes of one framed command, with the primitive reads every
/// grammar rule is built from.
///
/// Invariant: `base` points at `count` initialised bytes that outlive this value. A
/// parser is only created inside a `withUnsafeBufferPointer` (or `withMemoryRebound`)
/// closure over those bytes, by ``withGrammarParser(_:_:)`` or
/// `CommandParser.parseCommand(in:)`, and never escapes that closure. Every read checks `index < count` first; `index`
/// never exceeds `count`.
struct GrammarParser {
    private let base: UnsafePointer<UInt8>?
    let count: Int
    private(set) var index: Int = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        base = buffer.baseAddress
        count = buffer.count
    }

    var isAtEnd: Bool { index >= count }

    /// The byte at the read position, or nil at the end.
    @inline(__always)
    func peek() -> UInt8? {
        index < count ? base![index] : nil
    }

    /// The byte `offset` bytes ahead, or nil past the end.
    @inline(__always)
    func peek(_ offset: Int) -> UInt8? {
        index + offset < count ? base![index + offset] : nil
    }

    @inline(__always)
    mutating func advance(_ n: Int = 1) {
        precondition(index + n <= count)
        index += n
    }

    /// The byte at an absolute position before `count`.
    @inline(__always)
    func byte(at position: Int) -> UInt8 {
        precondition(position >= 0 && position < count)
        return base![position]
    }

    /// Moves past the bytes from the read position on that `isMember` accepts and returns
    /// their range. The scan keeps its position in a register and stores it once, where
    /// `while let byte = peek(), ... { advance() }` stores it after every byte.
    @inline(__always)
    mutating func skipRun(_ isMember: (UInt8) -> Bool) -> Range<Int> {
        let start = index
        var end = start
        while end < count, isMember(base![end]) { end += 1 }
        index = end
        return start..<end
    }

    /// Moves back to an earlier position (for the few rules that need lookahead).
    mutating func rewind(to position: Int) {
        precondition(position <= index)
        index = position
    }

    /// A copy of the bytes in `range`, which must lie before `count`.
    func bytes(_ range: Range<Int>) -> [UInt8] {
        precondition(range.upperBound <= count)
        guard !range.isEmpty else { return [] }
        return Array(UnsafeBufferPointer(start: base! + range.lowerBound, count: range.count))
    }

    /// The bytes in `range` as a String; callers pass ASCII ranges, or ranges they
    /// validated as UTF-8.
    func string(_ range: Range<Int>) -> String {
        precondition(range.upperBound <= count)
        guard !range.isEmpty else { return "" }
        return String(decoding: UnsafeBufferPointer(start: base! + range.lowerBound, count: range.count), as: UTF8.self)
    }

    /// The bytes in `range` as a String, or nil if they are not valid UTF-8.
    func validatedString(_ range: Range<Int>) -> String? {
        precondition(range.upperBound <= count)
        guard !range.isEmpty else { return "" }
        return String(validating: UnsafeBufferPointer(start: base! + range.lowerBound, count: range.count), as: UTF8.self)
    }

    /// True when the bytes in `range` spell `keyword`, ignoring ASCII case. The keyword
    /// is written in upper case, as every grammar keyword here is, so only the input
    /// is folded. Keywords of 8 bytes or more compare a word at a time (the last word
    /// overlapping the one before), shorter ones a byte at a time. Inlined: keyword
    /// dispatch calls this for every candidate.
    @inline(__always)
    func equalsIgnoringCase(_ range: Range<Int>, _ keyword: StaticString) -> Bool {
        let length = keyword.utf8CodeUnitCount
        guard range.count == length, range.lowerBound >= 0, range.upperBound <= count else { return false }
        let key = keyword.utf8Start
        assert((0..<length).allSatisfy { asciiUppercased(key[$0]) == key[$0] }, "keywords are upper case")
        let input = base! + range.lowerBound
        if length >= 8 {
            var offset = 0
            while true {
                let word = UnsafeRawPointer(input + offset).loadUnaligned(as: UInt64.self)
                let expected = UnsafeRawPointer(key + offset).loadUnaligned(as: UInt64.self)
                guard ASCIIWord.uppercased(word) == expected else { return false }
                if offset == length - 8 { return true }
                offset = min(offset + 8, length - 8)
            }
        }
        var offset = 0
        while offset < length {
            if asciiUppercased(input[offset]) != key[offset] { return false }
            offset += 1
        }
        return true
    }
}

/// Eight ASCII bytes in a word, folded together (SWAR).
enum ASCIIWord {
    /// `word` with every byte in `a`-`z` upper-cased; 0 (which no keyword's bytes
    /// spell) when any byte is not ASCII, as such input cannot match a keyword.
    /// With every byte below 0x80, adding 0x1F or 0x05 carries into no neighbour: a
    /// byte is lower case when `b + 0x1F` reaches 0x80 (b >= 0x61) and `b + 0x05` does
    /// not (b <= 0x7A); those bytes lose 0x20.
    @inline(__always)
    static func uppercased(_ word: UInt64) -> UInt64 {
        let highBits: UInt64 = 0x8080_8080_8080_8080
        guard word & highBits == 0 else { return 0 }
        let lower = (word &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(word &+ 0x0505_0505_0505_0505) & highBits
        return word &- (lower >> 2)
    }
}

/// Runs `body` with a parser over `bytes`; the parser lives only inside `body`.
@inline(__always)
func withGrammarParser<Result>(
    _ bytes: ArraySlice<UInt8>, _ body: (inout GrammarParser) throws(ParseFailure) -> Result
) throws(ParseFailure) -> Result {
    try bytes.withUnsafeBufferPointer { (buffer) throws(ParseFailure) -> Result in
        var parser = GrammarParser(buffer)
        return try body(&parser)
    }
}

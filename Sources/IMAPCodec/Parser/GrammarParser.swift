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
    /// byte is folded. Inlined: keyword dispatch calls this for every candidate.
    @inline(__always)
    func equalsIgnoringCase(_ range: Range<Int>, _ keyword: StaticString) -> Bool {
        guard range.count == keyword.utf8CodeUnitCount, range.upperBound <= count else { return false }
        let key = keyword.utf8Start
        assert((0..<range.count).allSatisfy { asciiUppercased(key[$0]) == key[$0] }, "keywords are upper case")
        var offset = 0
        while offset < range.count {
            if asciiUppercased(base![range.lowerBound + offset]) != key[offset] { return false }
            offset += 1
        }
        return true
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

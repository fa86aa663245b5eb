// libFuzzer entry point for the MIME parser. Built together with Sources/MIME by
// build.sh (swiftc -sanitize=fuzzer,address); not part of the SwiftPM package.
//
// Each input is parsed as a message; the parse must finish, keep every range
// inside the input, survive a serialization round trip unchanged, and answer
// section, BINARY and SEARCH requests without trapping.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIMEParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let message = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    let structure = MessageStructure(parsing: message, limits: ParseLimits(maxDepth: 16, maxParts: 500))
    precondition(structure.messageSize == size)
    for part in structure.parts {
        precondition(part.header.end <= size && part.body.end <= size, "range outside the message")
    }
    let decoded = try? MessageStructure(serialized: structure.serialized())
    precondition(decoded == structure, "serialization round trip changed the structure")

    let sections: [SectionSpec] = [
        SectionSpec(), SectionSpec(text: .header), SectionSpec(text: .text),
        SectionSpec(text: .headerFields(["from", "subject"])), SectionSpec(part: [1]),
        SectionSpec(part: [1], text: .mime), SectionSpec(part: [1, 1]), SectionSpec(part: [2], text: .header),
    ]
    for section in sections {
        if let ranges = try? structure.ranges(for: section, partial: Partial(offset: 3, count: 50), in: message) {
            for range in ranges.ranges { precondition(range.end <= size) }
        }
    }
    if let binary = try? structure.binarySection(part: [1]) {
        precondition(binary.decodedSize(in: message) == binary.decoded(from: message).count)
    }
    _ = structure.contains(SearchKey("é x"), in: .text, message: message)
    _ = structure.contains(SearchKey("subject"), in: .header("subject"), message: message)
    _ = structure.contains(SearchKey("a@b"), in: .header("from"), message: message)
    _ = structure.decodedHeaderValues(named: "subject", in: message)
    _ = structure.mailboxes(named: "to", in: message)
    _ = structure.sentDate(in: message)
    return 0
}

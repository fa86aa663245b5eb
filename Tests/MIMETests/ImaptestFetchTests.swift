import MIME
import Testing

/// Every FETCH expectation of the imaptest scripts about ENVELOPE, BODY,
/// BODYSTRUCTURE, BODY[section] and BINARY[section], checked against this module.
@Suite(.enabled(if: Imaptest.isAvailable, "needs ../shared/imaptest"))
struct ImaptestFetchTests {
    static let scripts = [
        "fetch-envelope", "fetch-bodystructure", "fetch-body", "fetch-body-message-rfc822",
        "fetch-body-message-rfc822-mime", "fetch-body-message-rfc822-x2", "fetch-body-mime",
        "fetch-binary-mime", "fetch-binary-mime-base64", "fetch-binary-mime-qp",
    ]

    /// How many expectations each script holds, so a parser regression that
    /// silently drops them fails the test.
    static let minimumExpectations: [String: Int] = [
        "fetch-envelope": 6, "fetch-bodystructure": 1, "fetch-body": 20, "fetch-body-mime": 14,
        "fetch-binary-mime-base64": 20, "fetch-binary-mime-qp": 7,
    ]

    @Test(arguments: scripts)
    func scriptExpectationsHold(_ script: String) throws {
        let messages = Imaptest.messages(script)
        let expectations = Imaptest.expectations(script)
        try #require(!messages.isEmpty)
        try #require(!expectations.isEmpty)
        var variables: [String: [UInt8]] = [:]
        // Each script states at least one FETCH item this module answers.
        #expect(expectations.count >= Self.minimumExpectations[script, default: 1])
        for expectation in expectations {
            let message = messages[expectation.message - 1]
            let actual = try #require(fetch(expectation, in: message), "\(expectation)")
            switch expectation.value {
            case .bytes(let expected):
                if expectation.negated {
                    #expect(actual != expected, "\(expectation)")
                } else {
                    #expect(String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
                            "\(expectation)")
                }
            case .number(let expected):
                #expect(String(decoding: actual, as: UTF8.self) == String(expected), "\(expectation)")
            case .list(let expected):
                // imaptest compares strings case-insensitively.
                #expect(String(decoding: actual, as: UTF8.self).lowercased() == expected.lowercased(), "\(expectation)")
            case .variable(let name):
                if let earlier = variables[name] {
                    #expect(actual == earlier, "\(expectation)")
                } else {
                    variables[name] = actual
                }
            }
        }
    }

    /// The module's answer for one FETCH item, as bytes (numbers as decimal text).
    private func fetch(_ expectation: Imaptest.Expectation, in message: [UInt8]) -> [UInt8]? {
        let structure = MessageStructure(parsing: message)
        let item = expectation.item
        return message.withUnsafeBytes { buffer -> [UInt8]? in
            func sectionBytes(_ section: SectionSpec) -> [UInt8]? {
                guard let ranges = try? structure.ranges(for: section, partial: expectation.partial, in: buffer) else {
                    return nil
                }
                return ranges.ranges.flatMap { message[$0.offsets] }
            }
            switch item {
            case "envelope": return structure.envelope
            case "body": return structure.body
            case "bodystructure": return structure.bodyStructure
            case "rfc822": return sectionBytes(SectionSpec())
            case "rfc822.header": return sectionBytes(SectionSpec(text: .header))
            case "rfc822.text": return sectionBytes(SectionSpec(text: .text))
            default: break
            }
            guard let inside = SectionText.bracketed(item) else { return nil }
            if item.hasPrefix("body[") {
                return SectionText.parse(inside).flatMap(sectionBytes)
            }
            guard let numbers = SectionText.partNumbers(inside),
                  let section = try? structure.binarySection(part: numbers)
            else { return nil }
            if item.hasPrefix("binary.size[") {
                return Array(String(section.decodedSize(in: buffer)).utf8)
            }
            let decoded = section.decoded(from: buffer)
            guard let partial = expectation.partial else { return decoded }
            let start = min(decoded.count, partial.offset)
            return Array(decoded[start..<min(decoded.count, start + partial.count)])
        }
    }
}

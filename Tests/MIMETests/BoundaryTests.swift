import MIME
import Testing

/// Delimiter lines (RFC 2046 §5.1.1) matched as Dovecot does: by prefix, the
/// longest open boundary winning.
@Suite struct BoundaryTests {
    private func partBodies(_ text: String) -> [String] {
        let message = CorpusMessage.crlf(text)
        let structure = MessageStructure(parsing: message)
        return structure.parts.dropFirst().filter { $0.kind == .leaf }.map {
            String(decoding: message[$0.body.offsets], as: UTF8.self)
        }
    }

    @Test func trailingGarbageAfterTheBoundaryStillDelimits() {
        let bodies = partBodies("Content-Type: multipart/mixed; boundary=b\n\n--b junk\n\none\n--b--junk\n")
        #expect(bodies == ["one"])
    }

    @Test func longestOpenBoundaryWins() {
        let bodies = partBodies("""
            Content-Type: multipart/mixed; boundary=ab

            --ab
            Content-Type: multipart/mixed; boundary=a

            --a

            inner
            --ab

            outer
            --ab--

            """)
        #expect(bodies == ["inner", "outer"])
    }

    @Test func transportPaddingAfterTheBoundary() {
        let bodies = partBodies("Content-Type: multipart/mixed; boundary=b\n\n--b \t\n\none\n--b-- \n")
        #expect(bodies == ["one"])
    }
}

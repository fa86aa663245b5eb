import MIME
import Testing

/// Content-Type parameter lists as BODYSTRUCTURE shows them (RFC 2045 §5.1,
/// RFC 2231, RFC 9051 §7.5.2 "body parameter parenthesized list").
@Suite struct ParameterTests {
    @Test(arguments: [
        ("application/x; a=1; b=\"two words\"", "(\"application\" \"x\" (\"a\" \"1\" \"b\" \"two words\")"),
        ("application/x (comment) ; a=\"q\\\"uote\"", "(\"application\" \"x\" (\"a\" \"q\\\"uote\")"),
        ("application/x; a=1 (trailing comment)", "(\"application\" \"x\" (\"a\" \"1\")"),
        ("application/x; boundary=----=_Part_1", "(\"application\" \"x\" (\"boundary\" \"----=_Part_1\")"),
        ("application/x; a*0=\"ab\"; a*2=\"ef\"; a*1=\"cd\"", "(\"application\" \"x\" (\"a\" \"abcdef\")"),
        ("application/x; t*=us-ascii'en'%41%20b", "(\"application\" \"x\" (\"t*\" \"utf-8'en'A%20b\")"),
        ("application/x; t*=windows-1252''%80", "(\"application\" \"x\" (\"t*\" \"utf-8''%E2%82%AC\")"),
        ("application/x; t*=x-no-such-charset''%FF", "(\"application\" \"x\" (\"t*\" \"x-no-such-charset''%FF\")"),
        ("application/x;;; a=1;", "(\"application\" \"x\" (\"a\" \"1\")"),
        ("application/x; =novalue; b", "(\"application\" \"x\" NIL"),
        ("text", "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\")"),
        ("/plain", "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\")"),
    ])
    func parametersRender(_ contentType: String, _ prefix: String) {
        let message = CorpusMessage.crlf("Content-Type: \(contentType)\n\nbody\n")
        let rendered = String(decoding: MessageStructure(parsing: message).bodyStructure, as: UTF8.self)
        #expect(rendered.hasPrefix(prefix), "\(rendered)")
    }

    @Test func boundaryParameterNameIsCaseInsensitive() {
        let message = CorpusMessage.crlf("Content-Type: Multipart/Mixed; BOUNDARY=\"b\"\n\n--b\n\nx\n--b--\n")
        let structure = MessageStructure(parsing: message)
        #expect(structure.parts.count == 2)
        #expect(structure.parts[0].kind == .multipart)
    }
}

/// The text of a status response, with its optional code.
///
///     resp-text = ["[" resp-text-code "]" SP] [text]
public struct ResponseText: Hashable, Sendable {
    public var code: ResponseCode?
    public var text: String

    public init(code: ResponseCode? = nil, text: String) {
        self.code = code
        self.text = text
    }
}

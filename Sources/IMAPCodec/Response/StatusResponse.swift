/// OK, NO, BAD, PREAUTH or BYE with its text.
///
///     resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
///     resp-cond-auth  = ("OK" / "PREAUTH") SP resp-text
///     resp-cond-bye   = "BYE" SP resp-text
public struct StatusResponse: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case ok = "OK"
        case no = "NO"
        case bad = "BAD"
        case preauth = "PREAUTH"
        case bye = "BYE"
    }

    public var kind: Kind
    public var text: ResponseText

    public init(_ kind: Kind, _ text: ResponseText) {
        self.kind = kind
        self.text = text
    }

    public init(_ kind: Kind, code: ResponseCode? = nil, _ text: String) {
        self.init(kind, ResponseText(code: code, text: text))
    }
}

/// Why a command could not be parsed; the reason becomes the text of a `BAD`.
public struct ParseFailure: Error, Hashable, Sendable {
    public var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

/// A CREATE parameter (RFC 4466 `create-param`), with CREATE-SPECIAL-USE's USE.
///
///     create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"
public enum CreateParameter: Hashable, Sendable {
    /// Special-use attributes such as `\Sent`, as written.
    case use([String])
    case other(ExtensionParameter)
}

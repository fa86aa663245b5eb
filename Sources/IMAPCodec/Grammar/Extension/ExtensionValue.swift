/// A parameter value of an extension the codec has no dedicated type for, kept as a
/// small tree so the server can still inspect or reject it.
///
///     tagged-ext-val  = tagged-ext-simple / "(" [tagged-ext-comp] ")"
///     tagged-ext-comp = astring / tagged-ext-comp *(SP tagged-ext-comp) /
///                       "(" tagged-ext-comp ")"
public indirect enum ExtensionValue: Hashable, Sendable {
    /// An atom, number or sequence set, as written.
    case atom(String)
    /// A quoted string or literal.
    case string(String)
    /// A parenthesised list.
    case list([ExtensionValue])
}

/// The `IMAPCodec` module; see ARCHITECTURE.md for what it owns.
public enum IMAPCodecModule {
    /// The module's name, as the package and logs spell it.
    public static let name = "IMAPCodec"
}

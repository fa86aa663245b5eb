/// The `IMAPServer` module; see ARCHITECTURE.md for what it owns.
public enum IMAPServerModule {
    /// The module's name, as the package and logs spell it.
    public static let name = "IMAPServer"
}

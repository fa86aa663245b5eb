/// The `MIME` module; see ARCHITECTURE.md for what it owns.
public enum MIMEModule {
    /// The module's name, as the package and logs spell it.
    public static let name = "MIME"
}

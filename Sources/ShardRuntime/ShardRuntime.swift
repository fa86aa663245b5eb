/// The `ShardRuntime` module; see ARCHITECTURE.md for what it owns.
public enum ShardRuntimeModule {
    /// The module's name, as the package and logs spell it.
    public static let name = "ShardRuntime"
}

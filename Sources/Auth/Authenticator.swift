/// Checks a user name and password against the user directory.
public struct Authenticator: Sendable {
    public let directory: UserDirectory

    public init(directory: UserDirectory) {
        self.directory = directory
    }

    /// The user's entry when `password` is right, nil otherwise. An unknown user
    /// is checked against a decoy hash of the default scheme, so the answer takes
    /// as long as a wrong password does and timing does not reveal which names
    /// exist. The work is CPU-bound for milliseconds and runs off the caller's
    /// thread (SHA-512 crypt in `SHACryptBatcher`); other schemes compute on the
    /// calling task, so call this from a task off a ring thread.
    public func authenticate(user: String, password: String) async -> PasswdEntry? {
        guard let entry = directory.entry(for: user) else {
            _ = await PasswordHasher.verifyBatched(password, against: PasswordHasher.decoyHash)
            return nil
        }
        return await PasswordHasher.verifyBatched(password, against: entry.password) ? entry : nil
    }
}

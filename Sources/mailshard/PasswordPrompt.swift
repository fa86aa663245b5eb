import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Reads a password from the terminal with echo turned off.
enum PasswordPrompt {
    static func read(_ prompt: String) throws -> String {
        guard isatty(STDIN_FILENO) != 0 else {
            throw ValidationError("standard input is not a terminal; use --password-stdin")
        }
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            print("")
        }
        print(prompt, terminator: "")
        fflush(nil)
        return readLine(strippingNewline: true) ?? ""
    }
}

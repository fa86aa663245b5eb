import ArgumentParser
import Auth
import Dispatch
import Foundation
import IMAPServer
import Logging

/// `mailshard serve`: runs the server until SIGTERM or SIGINT, then shuts down
/// gracefully (stop accepting, say BYE, join the shard threads).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the IMAP server."
    )

    @OptionGroup var options: SettingsOptions

    @Flag(help: "Loopback demo: creates the data directory and a demo account (demo / demo) when missing.")
    var demo = false

    @Option(help: "Seconds connections get to finish when the server is asked to stop.")
    var gracePeriod: Int = 10

    func run() async throws {
        LocalTimeZone.pin()
        let settings = try await options.resolve()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = settings.logLevel
            return handler
        }
        let logger = Logger(label: "mailshard")
        if demo {
            do {
                try await DemoSetup.prepare(settings: settings, logger: logger)
            } catch {
                throw CommandFailure("cannot prepare the demo data in \(settings.dataDirectory): \(error)")
            }
        }

        if !FileManager.default.fileExists(atPath: settings.passwdFile) {
            logger.warning("no passwd-file at \(settings.passwdFile): nobody can log in until `mailshard user add` creates it")
        }
        let server: MailshardServer
        let port: Int
        do {
            server = try MailshardServer(settings: settings, logger: logger)
            port = try await server.listen()
        } catch let error as ServerStartError {
            throw CommandFailure(error.description)
        } catch {
            throw CommandFailure("cannot serve on \(settings.listenAddress):\(settings.listenPort): \(error)")
        }
        if demo {
            print("Mailshard demo on \(settings.listenAddress):\(port), data in \(settings.dataDirectory)")
            print("  account: user \(DemoSetup.user), password \(DemoSetup.password) (plaintext IMAP on loopback)")
            print("  stop with Ctrl-C; settings: mailshard settings, Tuning/README.md")
        }
        let signal = await StopSignal.wait()
        logger.info("received \(signal), stopping")
        await server.shutdown(gracePeriod: .seconds(gracePeriod))
    }
}

/// Waits for SIGTERM or SIGINT (delivered through Dispatch, not a handler, so
/// no async-signal-safety concerns) and says which arrived.
enum StopSignal {
    static func wait() async -> String {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        return await withCheckedContinuation { continuation in
            let queue = DispatchQueue(label: "mailshard.signals")
            let state = SignalWaitState(continuation: continuation)
            for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { state.resume(name) }
                source.resume()
                state.keep(source)
            }
        }
    }
}

/// Resumes the waiting task once, whichever signal comes first; runs only on
/// the signal queue.
private final class SignalWaitState: @unchecked Sendable {
    private var continuation: CheckedContinuation<String, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(continuation: CheckedContinuation<String, Never>) {
        self.continuation = continuation
    }

    func keep(_ source: any DispatchSourceSignal) {
        sources.append(source)
    }

    func resume(_ name: String) {
        continuation?.resume(returning: name)
        continuation = nil
    }
}

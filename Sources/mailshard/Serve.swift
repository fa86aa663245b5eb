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
        let stopSignal = StopSignal()
        let notifier: ServiceManagerNotifier?
        do {
            notifier = try ServiceManagerNotifier(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CommandFailure("\(error)")
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
        let tls = settings.tlsListenPort == 0 ? "" : ", implicit TLS on \(settings.tlsListenPort)"
        notify(notifier, .ready(status: "serving IMAP on \(settings.listenAddress):\(port)\(tls)"), logger: logger)
        let watchdog = startWatchdog(notifier, server: server, logger: logger)
        let signal = await stopSignal.wait()
        watchdog?.cancel()
        logger.info("received \(signal), stopping")
        notify(notifier, .stopping(status: "stopping: \(signal), connections get \(gracePeriod) s"), logger: logger)
        await server.shutdown(gracePeriod: .seconds(gracePeriod))
    }

    /// Feeds the manager's watchdog at half its interval while every shard
    /// thread answers within a quarter of it; a wedged shard stops the feeding,
    /// and the manager restarts the server. Nil without a watchdog.
    private func startWatchdog(_ notifier: ServiceManagerNotifier?, server: MailshardServer, logger: Logger) -> Task<Void, Never>? {
        guard let notifier,
              let interval = ServiceManagerNotifier.watchdogInterval(environment: ProcessInfo.processInfo.environment)
        else { return nil }
        return Task {
            while !Task.isCancelled {
                if await server.shardsRespond(within: interval / 4) {
                    notify(notifier, .watchdog, logger: logger)
                } else {
                    logger.error("a shard thread did not answer within \(interval / 4): the watchdog is not fed")
                }
                try? await Task.sleep(for: interval / 2)
            }
        }
    }

    /// A service manager that can't be told is logged, not fatal: the server
    /// itself is serving, and the manager reports the missing READY on its own.
    private func notify(_ notifier: ServiceManagerNotifier?, _ message: ServiceManagerNotifier.Message, logger: Logger) {
        do {
            try notifier?.send(message)
        } catch {
            logger.error("cannot notify the service manager: \(error)")
        }
    }
}

/// Catches SIGTERM and SIGINT (delivered through Dispatch, not a handler, so
/// no async-signal-safety concerns) from the moment it is made, so a stop
/// requested right after READY is kept until `wait()` asks for it.
final class StopSignal: @unchecked Sendable {
    private let queue = DispatchQueue(label: "mailshard.signals")
    private var sources: [any DispatchSourceSignal] = []
    // Both touched only on `queue`.
    private var received: String?
    private var continuation: CheckedContinuation<String, Never>?

    init() {
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in arrived(name) }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal's name, once one has arrived.
    func wait() async -> String {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                if let received {
                    continuation.resume(returning: received)
                } else {
                    self.continuation = continuation
                }
            }
        }
    }

    private func arrived(_ name: String) {
        guard received == nil else { return }
        received = name
        continuation?.resume(returning: name)
        continuation = nil
    }
}

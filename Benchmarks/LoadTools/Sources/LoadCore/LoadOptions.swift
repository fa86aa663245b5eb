/// Command-line settings of one run: `imap-load WORKLOAD [--name value]...`.
///
/// Every option has a default so a bare `imap-load mix` runs against 127.0.0.1:1143.
public struct LoadOptions: Sendable, Equatable {
    public var workload: Workload
    public var host = "127.0.0.1"
    public var port: UInt16 = 1143
    /// Implicit TLS (RFC 8314) on every connection: `port` is then the server's TLS
    /// port (993 in production).
    public var tls = false
    /// With `tls`: a PEM file of trusted certificates; the server's certificate is
    /// then checked against it and `host`. Without it nothing is checked.
    public var tlsTrustedCertificates: String?
    /// Users are `userPrefix` + 1…`users`, all with `password`.
    public var userPrefix = "load"
    public var users = 10
    public var password = "loadpass"
    public var clients = 10
    /// Measured seconds (after seeding and logins); the run stops earlier at `count`.
    public var durationSeconds = 10.0
    /// Total operations to stop at (0: run for the duration).
    public var count = 0
    public var messageSize = 4096
    /// Messages seeded into each mailbox the workload reads.
    public var messages = 20
    public var weights = MixWeights.imaptestLike
    /// Server process whose tree's memory `idle-capacity` reads.
    public var pid: Int32?
    public var connections = 1000
    public var idlers = 50
    /// idle-fanout: how long one delivery may take before the idlers still waiting
    /// count as `delivery timeout` errors.
    public var deliveryTimeoutSeconds = 10.0
    /// idle-fanout: receive through io_uring when it works (else epoll), or always epoll.
    public var idleReceiverUsesRing = true
    /// idle-fanout: the ring receiver's wake gate (``FanoutReceiver``): idlers' arrivals
    /// wake the reader only once the APPEND's reply is in.
    public var idleReceiverGatesWakeups = false
    /// idle-fanout: scheduling class of the thread while it reads the idlers (it sends
    /// each APPEND and takes its clock at normal priority either way).
    public var idleReadersPriority = ThreadPriority.normal
    public var seed = true
    /// Seed the workload's mailboxes, report how long it took, and measure nothing.
    public var seedOnly = false
    /// Seconds to keep idle connections open before measuring memory.
    public var holdSeconds = 2.0
    public var jsonPath: String?
    public var label: String?
    /// idle-capacity: processes to spread the connections over (more are used when the
    /// open-file limit requires).
    public var processes = 1
    /// Set in the child processes idle-capacity spawns: the global indices to open.
    public var childRange: Range<Int>?
    /// `search`: the searches to run in turn.
    public var searches = CorpusSearch.typical
    /// `serve-copy`: directory for the files it serves.
    public var dataDirectory = "/tmp/imap-load-copy"

    public enum Workload: String, Sendable, CaseIterable {
        case mix
        case fetchBodies = "fetch-bodies"
        case append
        case idleCapacity = "idle-capacity"
        case idleFanout = "idle-fanout"
        case fetchHeaders = "fetch-headers"
        case store
        case search
        /// Not a workload: serves files with sendfile(2) behind minimal IMAP framing, the
        /// loopback baseline `fetch-bodies` is compared with (``CopyServer``).
        case serveCopy = "serve-copy"
    }

    public init(workload: Workload) {
        self.workload = workload
    }

    public func userName(_ index: Int) -> String { "\(userPrefix)\(index % max(users, 1) + 1)" }

    public static let usage = """
        usage: imap-load WORKLOAD [options]
        workloads: mix, fetch-bodies, append, idle-capacity, idle-fanout, fetch-headers,
                   store, search; serve-copy runs the loopback copy baseline server
          --host A            server address (127.0.0.1)
          --port P            server port (1143)
          --tls               implicit TLS on every connection (--port is then the TLS
                              port); not for idle-fanout, which reads sockets directly
          --tls-ca-file PATH  with --tls: check the server's certificate against PATH
                              and --host (default: no check)
          --user-prefix S     users are S1..SN (load)
          --users N           number of users (10)
          --password S        password of every user (loadpass)
          --clients N         concurrent connections (10)
          --duration S        measured seconds (10)
          --count N           stop after N operations (0 = duration only)
          --message-size B    message size in bytes, at least 320 (4096)
          --messages N        messages seeded per mailbox (20); fetch-headers, store and
                              search use one corpus mailbox of N messages of the first user
          --searches LIST     search: comma-separated of flagged unseen from subject
                              sent-range internal-range body text (the first six)
          --data DIR          serve-copy: where to write the files it serves (/tmp/imap-load-copy)
          --weights k=v,...   mix weights: login list status select fetch-flags
                              fetch-body store expunge append logout
          --pid P             server PID; its process tree's PSS/RSS is read (idle-capacity),
                              its CPU time per delivery round (idle-fanout)
          --connections N     idle connections to hold (1000)
          --idlers K          idle-fanout idlers (50)
          --idle-receiver R   idle-fanout: ring (io_uring, epoll where unavailable), gated-ring
                              (ring; idlers' arrivals wake the reader only after the APPEND's
                              reply, as a remote client's wake-ups never run on the server's
                              threads) or epoll (ring)
          --idle-readers-priority P  idle-fanout: normal or idle (SCHED_IDLE) while reading
                              the idlers; APPENDs are sent at normal priority (normal)
          --delivery-timeout S  idle-fanout: seconds one delivery may take (10)
          --hold S            seconds to hold idle connections before measuring (2)
          --processes N       idle-capacity: spread connections over N processes (1; more
                              when the open-file limit requires)
          --no-seed           skip seeding (mailboxes already filled)
          --seed-only         only seed (the result's headline is the seconds it took)
          --json PATH         write the JSON result there ('-' = stdout)
          --label S           free text copied into the result
        """

    /// Parses `arguments` (without the program name).
    public static func parse(_ arguments: [String]) throws(LoadError) -> LoadOptions {
        guard let first = arguments.first else { throw LoadError("usage", "no workload given") }
        guard let workload = Workload(rawValue: first) else { throw LoadError("usage", "unknown workload \(first)") }
        var options = LoadOptions(workload: workload)
        var index = 1
        func value(_ name: String) throws(LoadError) -> String {
            index += 1
            guard index < arguments.count else { throw LoadError("usage", "\(name) needs a value") }
            return arguments[index]
        }
        func number<T: FixedWidthInteger>(_ name: String, _ minimum: T = 0) throws(LoadError) -> T {
            let text = try value(name)
            guard let parsed = T(text), parsed >= minimum else { throw LoadError("usage", "\(name) expects a number ≥ \(minimum), got \(text)") }
            return parsed
        }
        func seconds(_ name: String) throws(LoadError) -> Double {
            let text = try value(name)
            guard let parsed = Double(text), parsed > 0, parsed.isFinite else { throw LoadError("usage", "\(name) expects seconds > 0, got \(text)") }
            return parsed
        }
        while index < arguments.count {
            let name = arguments[index]
            switch name {
            case "--host": options.host = try value(name)
            case "--port": options.port = try number(name, 1)
            case "--tls": options.tls = true
            case "--tls-ca-file": options.tlsTrustedCertificates = try value(name)
            case "--user-prefix": options.userPrefix = try value(name)
            case "--users": options.users = try number(name, 1)
            case "--password": options.password = try value(name)
            case "--clients": options.clients = try number(name, 1)
            case "--duration": options.durationSeconds = try seconds(name)
            case "--count": options.count = try number(name)
            case "--message-size": options.messageSize = try number(name, MessageFactory.minimumSize)
            case "--messages": options.messages = try number(name, 1)
            case "--weights": options.weights = try MixWeights.parse(try value(name), over: options.weights)
            case "--pid": options.pid = try number(name, 1)
            case "--connections": options.connections = try number(name, 1)
            case "--idlers": options.idlers = try number(name, 1)
            case "--idle-receiver":
                switch try value(name) {
                case "ring": (options.idleReceiverUsesRing, options.idleReceiverGatesWakeups) = (true, false)
                case "gated-ring": (options.idleReceiverUsesRing, options.idleReceiverGatesWakeups) = (true, true)
                case "epoll": (options.idleReceiverUsesRing, options.idleReceiverGatesWakeups) = (false, false)
                case let other: throw LoadError("usage", "--idle-receiver expects ring, gated-ring or epoll, got \(other)")
                }
            case "--idle-readers-priority":
                let text = try value(name)
                guard let priority = ThreadPriority(rawValue: text) else {
                    throw LoadError("usage", "--idle-readers-priority expects normal or idle, got \(text)")
                }
                options.idleReadersPriority = priority
            case "--hold": options.holdSeconds = try seconds(name)
            case "--delivery-timeout": options.deliveryTimeoutSeconds = try seconds(name)
            case "--no-seed": options.seed = false
            case "--seed-only": options.seedOnly = true
            case "--json": options.jsonPath = try value(name)
            case "--label": options.label = try value(name)
            case "--processes": options.processes = try number(name, 1)
            case "--searches": options.searches = try CorpusSearch.parseList(try value(name))
            case "--data": options.dataDirectory = try value(name)
            case "--child-range":
                let text = try value(name)
                let parts = text.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 2, parts[0] >= 0, parts[1] > 0 else { throw LoadError("usage", "--child-range expects START:COUNT") }
                options.childRange = parts[0]..<(parts[0] + parts[1])
            default: throw LoadError("usage", "unknown option \(name)")
            }
            index += 1
        }
        if options.tlsTrustedCertificates != nil, !options.tls { throw LoadError("usage", "--tls-ca-file needs --tls") }
        if options.tls, [.idleFanout, .serveCopy].contains(options.workload) {
            // The fan-out's receiver reads every idler's descriptor itself, and the copy
            // baseline is plain sendfile: neither can decrypt or encrypt.
            throw LoadError("usage", "\(options.workload.rawValue) has no TLS mode")
        }
        if [.fetchHeaders, .store, .search].contains(options.workload), options.messageSize < MessageCorpus.minimumSize {
            throw LoadError("usage", "\(workload.rawValue) needs --message-size ≥ \(MessageCorpus.minimumSize)")
        }
        return options
    }
}

/// Relative weights of the `mix` workload's operations.
public struct MixWeights: Sendable, Equatable {
    public static let operations = ["login", "list", "status", "select", "fetch-flags", "fetch-body", "store", "expunge", "append", "logout"]

    /// Weight per operation, in the order of ``operations``.
    public var values: [Int]

    /// Close to imaptest's default profile: mostly reads and flag changes, a logout now
    /// and then (which makes the next step a fresh login), appends balancing expunges.
    public static let imaptestLike = MixWeights(values: [0, 5, 5, 5, 20, 15, 15, 5, 10, 2])

    public func weight(_ operation: String) -> Int {
        Self.operations.firstIndex(of: operation).map { values[$0] } ?? 0
    }

    public static func parse(_ text: String, over base: MixWeights) throws(LoadError) -> MixWeights {
        var weights = base
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let index = operations.firstIndex(of: String(parts[0])),
                let weight = Int(parts[1]), weight >= 0
            else { throw LoadError("usage", "bad weight \(pair); use name=N with names \(operations.joined(separator: " "))") }
            weights.values[index] = weight
        }
        guard weights.values.contains(where: { $0 > 0 }) else { throw LoadError("usage", "all weights are zero") }
        return weights
    }

    /// The operation for a uniform draw in `0..<total`.
    public func operation(forDraw draw: Int) -> String {
        var remaining = draw
        for (index, weight) in values.enumerated() {
            if remaining < weight { return Self.operations[index] }
            remaining -= weight
        }
        return Self.operations[values.lastIndex { $0 > 0 } ?? 0]
    }

    public var total: Int { values.reduce(0, +) }
}

/// A small fast generator (SplitMix64) so each worker draws without locking and a run
/// can be repeated from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import LoadCore

/// The `idle-fanout` receiver over loopback, through io_uring and through epoll: the
/// same bytes give the same verdicts (each idler's EXISTS up by exactly one per
/// delivery, other responses parsed and left alone, a jump an error), every delivery
/// is also timed by its kernel receive timestamp (present, after the APPEND was sent,
/// never after the read), and after ``FanoutReceiver/finish()`` every idler's view is
/// what it heard.
@Suite("IDLE fan-out receiver")
struct FanoutReceiverTests {
    /// Three idlers whose scripted servers answer each prompt with the next update,
    /// in 7-byte pieces (lines split across reads) or whole; the appender's server
    /// answers each APPEND's stand-in with its tagged OK.
    /// With `gated`, through the ring's wake gate.
    @Test(arguments: [(true, false, 7), (true, false, 4096), (true, true, 7), (true, true, 4096), (false, false, 7), (false, false, 4096)])
    func everyIdlerHeardOncePerDelivery(useRing: Bool, gated: Bool, pieceSize: Int) throws {
        let updates = ["* 1 EXISTS\r\n* 1 RECENT\r\n", "* OK Still here\r\n* 2 EXISTS\r\n", "* 4 EXISTS\r\n"]
        let servers = try (0..<3).map { _ in try ScriptedServer(greeting: "* OK ready\r\n", replies: updates, pieceSize: pieceSize, lingers: true) }
        let appenderServer = try ScriptedServer(
            greeting: "* OK ready\r\n", replies: ["A1 OK APPEND completed\r\n", "A2 OK APPEND completed\r\n", "A3 OK APPEND completed\r\n"],
            lingers: true)
        let idlers = try servers.map { server in
            IdleConnection(connection: try IMAPConnection(host: "127.0.0.1", port: server.port), tag: "I", view: MailboxView(exists: 0))
        }
        let appender = try IMAPConnection(host: "127.0.0.1", port: appenderServer.port)
        let receiver = try FanoutReceiver(idlers: idlers, appender: appender, useRing: useRing, gatesWakeups: gated)
        var statistics = RunStatistics()
        for (round, tag) in ["A1", "A2", "A3"].enumerated() {
            // Before the prompts: what they make the servers send arrives after it.
            let sent = SendTime.now()
            for idle in idlers { try idle.connection.sendLine("next") }
            try appender.sendLine("\(tag) APPEND")
            let outcome = receiver.awaitDelivery(appendTag: tag, sent: sent, deadline: sent.monotonic + 20_000_000_000, statistics: &statistics)
            guard case .appended(let exchange, _) = outcome else {
                Issue.record("round \(round + 1): \(outcome)")
                break
            }
            #expect(exchange.status.kind == .ok)
            if round < 2 {
                // No error: every read that raised an EXISTS carried a timestamp between the send and the read.
                #expect(statistics.errors.isEmpty, "\(statistics.errors)")
                #expect(statistics.commands["DELIVERY"]?.count == UInt64(3 * (round + 1)))
                #expect(statistics.commands["DELIVERY TO ALL"]?.count == UInt64(round + 1))
                #expect(statistics.commands[FanoutReceiver.arrival]?.count == UInt64(3 * (round + 1)))
                #expect(statistics.commands[FanoutReceiver.arrivalAtAll]?.count == UInt64(round + 1))
                let arrivals = statistics.commands[FanoutReceiver.arrivalAtAll]?.latency.max ?? .max
                #expect(arrivals <= statistics.commands["DELIVERY TO ALL"]?.latency.max ?? 0)
            } else {
                // From 2 to 4 for one append: each idler is wrong, once.
                #expect(statistics.errors == ["invalid EXISTS": 3])
                #expect(statistics.commands["DELIVERY TO ALL"]?.count == 2)
                #expect(statistics.commands[FanoutReceiver.arrival]?.count == 6)
            }
        }
        receiver.finish()
        #expect(idlers.map(\.view.exists) == [4, 4, 4])
        for idle in idlers { idle.connection.close() }
        appender.close()
        for server in servers + [appenderServer] { server.wait() }
    }

    /// The wake gate: between deliveries each idler's SO_RCVLOWAT is far above what a
    /// round sends, so an EXISTS that has arrived does not make the socket readable (no
    /// poll, the ring's receive included, is woken by it); once the appender's reply is
    /// in, the bytes are handed over and heard; after ``FanoutReceiver/finish()`` the
    /// sockets are ordinary again (low-water mark 1).
    @Test func gatedRingHoldsArrivalsBackUntilTheReply() throws {
        let servers = try (0..<2).map { _ in try ScriptedServer(greeting: "* OK ready\r\n", replies: ["* 1 EXISTS\r\n"], pieceSize: 4096, lingers: true) }
        let appenderServer = try ScriptedServer(greeting: "* OK ready\r\n", replies: ["A1 OK APPEND completed\r\n"], lingers: true)
        let idlers = try servers.map { server in
            IdleConnection(connection: try IMAPConnection(host: "127.0.0.1", port: server.port), tag: "I", view: MailboxView(exists: 0))
        }
        let appender = try IMAPConnection(host: "127.0.0.1", port: appenderServer.port)
        let receiver = try FanoutReceiver(idlers: idlers, appender: appender, useRing: true, gatesWakeups: true)
        try #require(receiver.usesRing)
        let descriptors = idlers.map(\.connection.socket.descriptor)
        #expect(descriptors.map(Self.lowWaterMark) == [64 * 1024, 64 * 1024])
        let sent = SendTime.now()
        for idle in idlers { try idle.connection.sendLine("next") }
        // Bounded wait until each EXISTS is in its socket; the socket stays unreadable.
        for descriptor in descriptors {
            var waited = 0
            while Self.bytesWaiting(descriptor) == 0 && waited < 2_000 {
                usleep(1_000)
                waited += 1
            }
            #expect(Self.bytesWaiting(descriptor) == 12)
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            #expect(poll(&ready, 1, 0) == 0)
        }
        try appender.sendLine("A1 APPEND")
        var statistics = RunStatistics()
        let outcome = receiver.awaitDelivery(appendTag: "A1", sent: sent, deadline: MonotonicClock.nanoseconds() + 20_000_000_000, statistics: &statistics)
        if case .appended = outcome {} else { Issue.record("\(outcome)") }
        #expect(statistics.errors.isEmpty, "\(statistics.errors)")
        #expect(statistics.commands[FanoutReceiver.arrival]?.count == 2)
        // Shut again for the next round.
        #expect(descriptors.map(Self.lowWaterMark) == [64 * 1024, 64 * 1024])
        receiver.finish()
        #expect(idlers.map(\.view.exists) == [1, 1])
        #expect(descriptors.map(Self.lowWaterMark) == [1, 1])
        for idle in idlers { idle.connection.close() }
        appender.close()
        for server in servers + [appenderServer] { server.wait() }
    }

    private static func lowWaterMark(_ descriptor: Int32) -> Int32 {
        var value: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_RCVLOWAT, &value, &length) == 0 ? value : -1
    }

    private static func bytesWaiting(_ descriptor: Int32) -> Int32 {
        var count: Int32 = 0
        return ioctl(descriptor, UInt(FIONREAD), &count) == 0 ? count : -1
    }

    /// The ring's own contract on a socket pair: bytes in order with their token, a
    /// buffer per read lent until recycled, the end of the peer as a 0 that ends the
    /// receive, and a cancellation that ends what is still armed.
    @Test func ringReportsReadsEndsAndCancellations() throws {
        var first: [Int32] = [0, 0]
        var second: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &first) == 0)
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &second) == 0)
        defer { for fd in first + second where fd >= 0 { close(fd) } }
        let ring = try IdleReceiveRing(sockets: 2, bufferSize: 128)
        try ring.receive(first[0], token: 5)
        try ring.receive(second[0], token: 9)
        #expect(try ring.wait(milliseconds: 0).isEmpty)
        #expect(write(first[1], "abc", 3) == 3)
        var heard: [UInt64: [UInt8]] = [:]
        func collect() throws -> [IdleReceiveRing.Completion] {
            var all: [IdleReceiveRing.Completion] = []
            for _ in 0..<50 {
                let batch = try ring.wait(milliseconds: 100)
                for completion in batch {
                    if let id = completion.bufferID {
                        heard[completion.token, default: []] += Array(ring.bytes(of: completion))
                        ring.recycle(id)
                    }
                }
                all += batch
                if !batch.isEmpty { return all }
            }
            return all
        }
        let reads = try collect()
        #expect(reads.map(\.token) == [5] && reads.allSatisfy(\.continues))
        #expect(heard[5] == Array("abc".utf8))
        #expect(write(second[1], "de", 2) == 2)
        #expect(write(first[1], "f", 1) == 1)
        var more = try collect()
        while Set(more.map(\.token)) != [5, 9], more.count < 10 { more += try collect() }
        #expect(heard[5] == Array("abcf".utf8) && heard[9] == Array("de".utf8))
        close(second[1])
        second[1] = -1
        let end = try collect()
        #expect(end.count == 1 && end[0].token == 9 && end[0].result == 0 && !end[0].continues)
        try ring.cancelAll(token: 77)
        var ended = try collect()
        while ended.count < 2 { ended += try collect() }
        #expect(Set(ended.map(\.token)) == [5, 77])
        #expect(ended.first { $0.token == 5 }.map { $0.result == -ECANCELED && !$0.continues } == true)
    }

    /// One delivery to two idlers through a receiver, `adjust`ed before it runs; the
    /// statistics it recorded.
    private func deliverOnce(useRing: Bool, sent: () -> SendTime, adjust: (FanoutReceiver, [IdleConnection]) -> Void) throws -> RunStatistics {
        let servers = try (0..<2).map { _ in try ScriptedServer(greeting: "* OK ready\r\n", replies: ["* 1 EXISTS\r\n"], pieceSize: 4096, lingers: true) }
        let appenderServer = try ScriptedServer(greeting: "* OK ready\r\n", replies: ["A1 OK APPEND completed\r\n"], lingers: true)
        let idlers = try servers.map { server in
            IdleConnection(connection: try IMAPConnection(host: "127.0.0.1", port: server.port), tag: "I", view: MailboxView(exists: 0))
        }
        let appender = try IMAPConnection(host: "127.0.0.1", port: appenderServer.port)
        let receiver = try FanoutReceiver(idlers: idlers, appender: appender, useRing: useRing)
        adjust(receiver, idlers)
        var statistics = RunStatistics()
        let sent = sent()
        for idle in idlers { try idle.connection.sendLine("next") }
        try appender.sendLine("A1 APPEND")
        let outcome = receiver.awaitDelivery(appendTag: "A1", sent: sent, deadline: MonotonicClock.nanoseconds() + 20_000_000_000, statistics: &statistics)
        if case .appended = outcome {} else { Issue.record("\(outcome)") }
        receiver.finish()
        #expect(idlers.map(\.view.exists) == [1, 1])
        for idle in idlers { idle.connection.close() }
        appender.close()
        for server in servers + [appenderServer] { server.wait() }
        return statistics
    }

    /// Reads without a receive timestamp (stamping switched off after the receiver
    /// switched it on) are an error, not a fallback to the read time: DELIVERY is
    /// still recorded, ARRIVAL and ARRIVAL AT ALL are not.
    @Test(arguments: [true, false])
    func aReadWithoutATimestampIsAnError(useRing: Bool) throws {
        let statistics = try deliverOnce(useRing: useRing, sent: SendTime.now) { _, idlers in
            for idle in idlers {
                var off: Int32 = 0
                setsockopt(idle.connection.socket.descriptor, SOL_SOCKET, 35 /* SO_TIMESTAMPNS */, &off, socklen_t(MemoryLayout<Int32>.size))
            }
        }
        #expect(statistics.errors == ["no arrival timestamp": 2])
        #expect(statistics.commands["DELIVERY"]?.count == 2)
        #expect(statistics.commands["DELIVERY TO ALL"]?.count == 1)
        #expect(statistics.commands[FanoutReceiver.arrival] == nil)
        #expect(statistics.commands[FanoutReceiver.arrivalAtAll] == nil)
    }

    /// A send time on the realtime clock that puts every arrival before the send, or
    /// after the read: each is an error, never a latency.
    @Test(arguments: [(true, 3_600, "arrival before send"), (false, 3_600, "arrival before send"),
                      (true, -3_600, "arrival after read"), (false, -3_600, "arrival after read")])
    func anArrivalOutsideSendAndReadIsAnError(useRing: Bool, realtimeShiftSeconds: Int64, error: String) throws {
        let shifted = {
            var sent = SendTime.now()
            sent.realtime = UInt64(Int64(sent.realtime) + realtimeShiftSeconds * 1_000_000_000)
            return sent
        }
        let statistics = try deliverOnce(useRing: useRing, sent: shifted) { _, _ in }
        #expect(statistics.errors == [error: 2])
        #expect(statistics.commands["DELIVERY"]?.count == 2)
        #expect(statistics.commands[FanoutReceiver.arrival] == nil)
        #expect(statistics.commands[FanoutReceiver.arrivalAtAll] == nil)
    }
}

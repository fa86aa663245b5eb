// IMAPCodec micro-benchmarks: framing throughput (SIMD against scalar), command parses
// per second and their allocations, and FETCH response encoding.
//
//   swift package --package-path Benchmarks benchmark --target CodecBenchmarks
//
// Framing benchmarks process a fixed stream per iteration (its size is in the name), so
// bytes per second = stream size × throughput. Results: Benchmarks/results/codec.md.
import Benchmark
import IMAPCodec

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000)

    // MARK: Framing

    for simd in [true, false] {
        let path = simd ? "SIMD" : "scalar"
        Benchmark("Frame APPEND stream, 8 MiB, 48 KiB literals buffered (\(path))") { benchmark in
            frameStream(SampleStreams.appendStream, limits: FramingLimits(usesSIMD: simd), benchmark: benchmark)
        }
        Benchmark("Frame APPEND stream, 8 MiB, 48 KiB literals streamed (\(path))") { benchmark in
            frameStream(
                SampleStreams.appendStream, limits: FramingLimits(maximumBufferedLiteralSize: 4096, usesSIMD: simd),
                benchmark: benchmark)
        }
        Benchmark("Frame small-command pipeline, 4 MiB (\(path))") { benchmark in
            frameStream(SampleStreams.pipeline, limits: FramingLimits(usesSIMD: simd), benchmark: benchmark)
        }
        Benchmark("Frame small-command pipeline, 4 MiB, range events (\(path))") { benchmark in
            frameStreamByRange(SampleStreams.pipeline, limits: FramingLimits(usesSIMD: simd), benchmark: benchmark)
        }
        Benchmark("Frame 2 KiB-line pipeline, 4 MiB (\(path))") { benchmark in
            frameStream(SampleStreams.longLines, limits: FramingLimits(usesSIMD: simd), benchmark: benchmark)
        }
    }

    Benchmark(
        "Frame one small command, steady state (allocations per command)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        var framer = CommandFramer()
        let command = Array("a1 UID FETCH 1:* (FLAGS)\r\n".utf8)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            framer.append(command)
            while let event = framer.nextEvent() { blackHole(event) }
        }
        benchmark.stopMeasurement()
    }

    Benchmark(
        "Frame one small command, steady state, range events (allocations per command)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        var framer = CommandFramer()
        let command = Array("a1 UID FETCH 1:* (FLAGS)\r\n".utf8)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            framer.append(command)
            while let event = framer.nextRangeEvent() { blackHole(event) }
        }
        benchmark.stopMeasurement()
    }

    // MARK: Parsing

    for (name, line) in SampleCommands.typical {
        Benchmark("Parse \(name)", configuration: .init(scalingFactor: .kilo)) { benchmark in
            let frame = Array(line.utf8)[...]
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try? CommandParser.parseCommand(frame))
            }
            benchmark.stopMeasurement()
        }
        Benchmark("Parse \(name), raw bytes", configuration: .init(scalingFactor: .kilo)) { benchmark in
            let frame = Array(line.utf8)
            benchmark.startMeasurement()
            frame.withUnsafeBytes { bytes in
                for _ in benchmark.scaledIterations {
                    blackHole(try? CommandParser.parseCommand(bytes))
                }
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("Frame + parse small-command pipeline, 4 MiB") { benchmark in
        let stream = SampleStreams.pipeline
        benchmark.startMeasurement()
        var framer = CommandFramer()
        var offset = 0
        while offset < stream.count {
            let end = min(stream.count, offset + 16 * 1024)
            framer.append(stream[offset..<end])
            offset = end
            while let event = framer.nextEvent() {
                if case .command(let frame) = event { blackHole(try? CommandParser.parseCommand(frame)) }
            }
        }
        benchmark.stopMeasurement()
    }

    Benchmark("Frame + parse small-command pipeline, 4 MiB, range events") { benchmark in
        let stream = SampleStreams.pipeline
        benchmark.startMeasurement()
        var framer = CommandFramer()
        var offset = 0
        while offset < stream.count {
            let end = min(stream.count, offset + 16 * 1024)
            framer.append(stream[offset..<end])
            offset = end
            while let event = framer.nextRangeEvent() {
                if case .command(let range) = event {
                    blackHole(framer.withUnsafeBytes(in: range) { try? CommandParser.parseCommand($0) })
                }
            }
        }
        benchmark.stopMeasurement()
    }

    // MARK: Encoding

    Benchmark("Encode FETCH (UID FLAGS), 1000 responses", configuration: .init(scalingFactor: .one)) { benchmark in
        var buffer = ResponseBuffer(capacity: 64 * 1024)
        let encoder = ResponseEncoder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.removeAll()
            for number in 1...1000 as ClosedRange<UInt32> {
                encoder.encode(.untagged(.fetch(number, [.uid(number + 4000), .flags([.seen, .answered])])), into: &buffer)
            }
            blackHole(buffer.bytes.count)
        }
        benchmark.stopMeasurement()
    }

    Benchmark("Encode FETCH (UID RFC822.SIZE FLAGS BODY[] external), 1000 responses") { benchmark in
        var buffer = ResponseBuffer(capacity: 128 * 1024)
        let encoder = ResponseEncoder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.removeAll()
            for number in 1...1000 as ClosedRange<UInt32> {
                let body = ExternalBytes(source: UInt64(number), offset: 0, count: 48_000)
                encoder.encode(.untagged(.fetch(number, [
                    .uid(number + 4000), .rfc822Size(48_000), .flags([.seen]), .bodySection(.whole, origin: nil, .external(body)),
                ])), into: &buffer)
            }
            blackHole(buffer.wireByteCount)
        }
        benchmark.stopMeasurement()
    }
}

/// Feeds a stream to a fresh framer in 16 KiB receive-sized pieces and drains every event.
func frameStream(_ stream: [UInt8], limits: FramingLimits, benchmark: Benchmark) {
    for _ in benchmark.scaledIterations {
        var framer = CommandFramer(limits: limits)
        var offset = 0
        var commands = 0
        while offset < stream.count {
            let end = min(stream.count, offset + 16 * 1024)
            framer.append(stream[offset..<end])
            offset = end
            while let event = framer.nextEvent() {
                if case .command = event { commands += 1 }
            }
        }
        blackHole(commands)
    }
}

/// The same through ``CommandFramer/nextRangeEvent()``.
func frameStreamByRange(_ stream: [UInt8], limits: FramingLimits, benchmark: Benchmark) {
    for _ in benchmark.scaledIterations {
        var framer = CommandFramer(limits: limits)
        var offset = 0
        var commands = 0
        while offset < stream.count {
            let end = min(stream.count, offset + 16 * 1024)
            framer.append(stream[offset..<end])
            offset = end
            while let event = framer.nextRangeEvent() {
                if case .command = event { commands += 1 }
            }
        }
        blackHole(commands)
    }
}

enum SampleCommands {
    static let typical: [(String, String)] = [
        ("UID FETCH 1:* (FLAGS)", "a1 UID FETCH 1:* (FLAGS)\r\n"),
        (
            "UID SEARCH RETURN (ALL) UNSEEN SINCE 1-Jan-2024 FROM \"alice\"",
            "a2 UID SEARCH RETURN (ALL) UNSEEN SINCE 1-Jan-2024 FROM \"alice\"\r\n"
        ),
        ("UID STORE 1:50 +FLAGS.SILENT (\\Seen)", "a3 UID STORE 1:50 +FLAGS.SILENT (\\Seen)\r\n"),
        ("UID FETCH 7 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])",
         "a4 UID FETCH 7 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT)])\r\n"),
        ("NOOP", "a5 NOOP\r\n"),
    ]
}

enum SampleStreams {
    /// APPENDs of 48 KiB messages with LITERAL+, about 8 MiB.
    static let appendStream: [UInt8] = {
        var stream: [UInt8] = []
        let body = [UInt8](repeating: UInt8(ascii: "m"), count: 48 * 1024)
        var number = 0
        while stream.count < 8 * 1024 * 1024 {
            number += 1
            stream += Array("a\(number) APPEND INBOX (\\Seen) {\(body.count)+}\r\n".utf8)
            stream += body
            stream += [0x0D, 0x0A]
        }
        return stream
    }()

    /// A client's typical pipeline of short commands, about 4 MiB.
    static let pipeline: [UInt8] = {
        var stream: [UInt8] = []
        var number = 0
        while stream.count < 4 * 1024 * 1024 {
            for (_, line) in SampleCommands.typical {
                number += 1
                stream += Array("x\(number)\(line.drop { $0 != " " })".utf8)
            }
        }
        return stream
    }()

    /// Long SEARCH lines (about 2 KiB each), where the line scan dominates; about 4 MiB.
    static let longLines: [UInt8] = {
        let keys = String(repeating: " OR FROM \"someone@example.com\" SUBJECT \"quarterly report\"", count: 36)
        var stream: [UInt8] = []
        var number = 0
        while stream.count < 4 * 1024 * 1024 {
            number += 1
            stream += Array("s\(number) UID SEARCH ALL\(keys) ALL\r\n".utf8)
        }
        return stream
    }()
}

import Benchmark
import MIME

/// Parse throughput of the MIME module: structure, header index, ENVELOPE and
/// BODYSTRUCTURE/BODY rendering, over `MixedCorpus`. One iteration parses the
/// whole corpus once; MB/s = `MixedCorpus.totalBytes` / wall-clock time.
let benchmarks: @Sendable () -> Void = {
    let corpus = MixedCorpus.messages

    Benchmark(
        "Parse mixed corpus (\(corpus.count) messages, \(MixedCorpus.totalBytes) bytes)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(10))
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            for message in corpus {
                blackHole(MessageStructure(parsing: message))
            }
        }
    }

    // The header-heavy worst case: small text messages whose bytes are mostly
    // header fields (Received, DKIM, addresses), so ENVELOPE work dominates.
    let small = (0..<200).map { MixedCorpus.plain($0) }
    let smallBytes = small.reduce(0) { $0 + $1.count }

    Benchmark(
        "Parse small text messages (\(small.count) messages, \(smallBytes) bytes)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(10))
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            for message in small {
                blackHole(MessageStructure(parsing: message))
            }
        }
    }

    let structures = corpus.map { MessageStructure(parsing: $0) }
    let serialized = structures.map { $0.serialized() }

    Benchmark(
        "Decode cached structures (\(corpus.count) messages)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5))
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            for bytes in serialized {
                blackHole(try? MessageStructure(serialized: bytes))
            }
        }
    }

    Benchmark(
        "SEARCH BODY miss over mixed corpus",
        configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5))
    ) { benchmark in
        let key = SearchKey("zebra crossing")
        for _ in benchmark.scaledIterations {
            for (message, structure) in zip(corpus, structures) {
                message.withUnsafeBytes { blackHole(structure.contains(key, in: .body, message: $0)) }
            }
        }
    }
}

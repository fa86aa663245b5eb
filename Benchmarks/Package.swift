// swift-tools-version: 6.1
// Micro-benchmarks (ordo-one/benchmark) and load tools for Mailshard. A package of
// its own so the benchmark plugin's long first build stays out of the test build.
// Run one suite: `swift package --package-path Benchmarks benchmark --target CodecBenchmarks`.
import PackageDescription

let benchmarkTarget: (String, [Target.Dependency]) -> Target = { name, deps in
    .executableTarget(
        name: name,
        dependencies: deps + [.product(name: "Benchmark", package: "benchmark")],
        path: "Benchmarks/\(name)",
        swiftSettings: [.swiftLanguageMode(.v6)],
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "MailshardBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Mailshard", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        benchmarkTarget("CodecBenchmarks", [.product(name: "IMAPCodec", package: "Mailshard")]),
        benchmarkTarget("MIMEBenchmarks", [.product(name: "MIME", package: "Mailshard")]),
        benchmarkTarget("StoreBenchmarks", [.product(name: "MailStore", package: "Mailshard")]),
    ]
)

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
        // The Swift peer for the echo comparison (EchoServer --runtime nio).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        benchmarkTarget("CodecBenchmarks", [.product(name: "IMAPCodec", package: "Mailshard")]),
        benchmarkTarget("MIMEBenchmarks", [.product(name: "MIME", package: "Mailshard")]),
        benchmarkTarget("StoreBenchmarks", [.product(name: "MailStore", package: "Mailshard")]),
        benchmarkTarget("ServerBenchmarks", [
            .product(name: "IMAPServer", package: "Mailshard"), .product(name: "MailStore", package: "Mailshard"),
            .product(name: "IMAPCodec", package: "Mailshard"),
        ]),

        // Echo comparison, ShardRuntime against SwiftNIO (Benchmarks/results/runtime.md):
        // a server that runs on either, a load client, and Scripts/echo-compare.py.
        .executableTarget(
            name: "EchoServer",
            dependencies: [
                .product(name: "ShardRuntime", package: "Mailshard"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/EchoServer",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(name: "CEpoll", path: "Benchmarks/CEpoll"),
        .executableTarget(
            name: "EchoLoad",
            dependencies: ["CEpoll"],
            path: "Benchmarks/EchoLoad",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)

// swift-tools-version: 6.1
// imap-load: a load generator that speaks IMAP over its own blocking-socket client
// (IMAPCodec encodes commands and parses responses). A package of its own so the
// project's test command builds it without the benchmark plugin of ../Package.swift.
// Run: `swift run -c release --package-path Benchmarks/LoadTools imap-load --help`.
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "MailshardLoadTools",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "imap-load", targets: ["imap-load"]),
    ],
    dependencies: [
        .package(name: "Mailshard", path: "../.."),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    ],
    targets: [
        // <sys/epoll.h> for the IDLE fan-out's receiver (not in Swift's Glibc module).
        .systemLibrary(name: "CEpoll"),
        // liburing for the same receiver's io_uring path (multishot recv, provided buffers).
        .systemLibrary(name: "CIdleRing", pkgConfig: "liburing"),
        // OpenSSL for `--tls` (implicit TLS on every connection).
        .systemLibrary(name: "CLoadTLS", pkgConfig: "openssl"),
        .target(
            name: "LoadCore",
            dependencies: [
                "CEpoll",
                "CIdleRing",
                "CLoadTLS",
                .product(name: "IMAPCodec", package: "Mailshard"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "imap-load", dependencies: ["LoadCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LoadCoreTests",
            dependencies: ["LoadCore", "CLoadTLS", .product(name: "IMAPCodec", package: "Mailshard")],
            swiftSettings: swiftSettings
        ),
    ]
)

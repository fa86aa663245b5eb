// swift-tools-version: 6.1
// Mailshard: an IMAP4rev2 server for large mailbox fleets. ARCHITECTURE.md (in
// ../shared) is the map; the module table there is mirrored by the targets below,
// lowest first, and an arrow (a dependency) only ever points down.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "Mailshard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mailshard", targets: ["mailshard"]),
        // Libraries for the benchmark package under Benchmarks/.
        .library(name: "IMAPCodec", targets: ["IMAPCodec"]),
        .library(name: "MIME", targets: ["MIME"]),
        .library(name: "MailStore", targets: ["MailStore"]),
        .library(name: "ShardRuntime", targets: ["ShardRuntime"]),
        .library(name: "IMAPServer", targets: ["IMAPServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // System libraries. Each names its Debian package so a missing one is
        // reported by name; the README's commands install them.
        .systemLibrary(name: "CURing", pkgConfig: "liburing", providers: [.apt(["liburing-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypt", pkgConfig: "libcrypt", providers: [.apt(["libcrypt-dev"])]),

        .target(name: "IMAPCodec", swiftSettings: swiftSettings),
        .target(name: "MIME", swiftSettings: swiftSettings),
        .target(name: "MailStore", dependencies: ["MIME"], swiftSettings: swiftSettings),
        // SHA-crypt's rounds on eight AVX-512 lanes (C: Swift cannot target AVX-512 per function).
        .target(name: "CSHACryptX8"),
        .target(name: "Auth", dependencies: ["COpenSSL", "CCrypt", "CSHACryptX8"], swiftSettings: swiftSettings),
        .target(name: "ShardRuntime", dependencies: ["CURing", "COpenSSL", "CZlib"], swiftSettings: swiftSettings),
        .target(
            name: "IMAPServer",
            dependencies: [
                "IMAPCodec", "MIME", "MailStore", "Auth", "ShardRuntime",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "mailshard",
            dependencies: [
                "IMAPServer", "Auth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // The crash test's child process: MailStoreTests launches it and kills it with SIGKILL.
        .executableTarget(name: "mailstore-torture", dependencies: ["MailStore"], swiftSettings: swiftSettings),

        .testTarget(name: "IMAPCodecTests", dependencies: ["IMAPCodec"], swiftSettings: swiftSettings),
        .testTarget(name: "MIMETests", dependencies: ["MIME"], swiftSettings: swiftSettings),
        .testTarget(name: "MailStoreTests", dependencies: ["MailStore"], swiftSettings: swiftSettings),
        .testTarget(name: "AuthTests", dependencies: ["Auth"], swiftSettings: swiftSettings),
        .testTarget(name: "ShardRuntimeTests", dependencies: ["ShardRuntime"], swiftSettings: swiftSettings),
        .testTarget(name: "IMAPServerTests", dependencies: ["IMAPServer"], swiftSettings: swiftSettings),
    ]
)

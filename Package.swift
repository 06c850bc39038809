// swift-tools-version: 6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// How the server binary is linked on Linux: with LLVM's lld (shipped with the Swift toolchain) and
/// packed relative relocations (DT_RELR, glibc 2.36+, Debian 12). A position-independent Swift
/// binary carries one relocation per pointer in its metadata; packed, the statically linked
/// binary's table shrinks from 3.9 MB to 52 kB, all of which the loader reads at every start.
/// Idle RSS falls by 3.5 MiB; docs/BENCHMARKS.md ("The build that ships") has the measurement.
/// And without exporting its own symbols: the toolchain's static-stdlib link asks for
/// `-export-dynamic`, which lists 61,000 of them (5.5 MB of tables) for the dynamic loader, though
/// the server looks none of them up. 3.6 MiB less idle RSS; docs/BENCHMARKS.md ("Start-up").
///
/// Release builds also lay out the code that start-up runs together at the front (linker/text.ld,
/// linker/startup-order.txt): Linux keeps resident every 64 KiB block of code that start-up
/// touched, and spread out, those blocks were 20 of the 40 MiB idle RSS. It takes effect when the
/// build compiles every function into its own section, as scripts/release-build and the
/// Dockerfile do (`-Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections`);
/// without that it is harmless. scripts/measure/startup-order regenerates the list.
let linuxServerLinking: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux])),
    .unsafeFlags([
        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/linker/startup-order.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
        "-Xlinker", "-T\(Context.packageDirectory)/linker/text.ld",
    ], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "punchlist",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "punchlist", targets: ["punchlist"]),
        .library(name: "Punchlist", targets: ["Punchlist"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.4.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
    ],
    targets: [
        .executableTarget(
            name: "punchlist",
            dependencies: [
                "Punchlist",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: linuxServerLinking
        ),
        .target(
            name: "Punchlist",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "MCP", package: "swift-sdk"),
            ],
            resources: [.embedInCode("Docs/openapi.json")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PunchlistTests",
            dependencies: [
                "Punchlist",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

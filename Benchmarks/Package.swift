// swift-tools-version: 6.1
// Micro-benchmarks of Punchlist's hot paths (ordo-one/benchmark), in a package of their own so that
// the server's build and CI never pay for them:  cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "PunchlistBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "punchlist", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Punchlist", package: "punchlist"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)

import Benchmark
import Foundation
import Punchlist

/// The hot paths of every request (see docs/BENCHMARKS.md): encoding a page of 50 tasks, verifying
/// a bearer token (from the session cache, and reading the session row), and fetching a page of
/// 50 tasks from SQLite (statement and row decoding), and from PostgreSQL when
/// `BENCH_DATABASE_URL` names a scratch database (round trip, the rows at once and decoding).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(2))
    let directory = NSTemporaryDirectory() + "punchlist-hot-paths-\(getpid())"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

    Benchmark("Encode a page of 50 tasks") { benchmark, paths in
        for _ in benchmark.scaledIterations { blackHole(paths.encodePage()) }
    } setup: {
        try await HotPaths.make(directory: directory + "/encode")
    }

    Benchmark("Verify a token (session cached)") { benchmark, paths in
        for _ in benchmark.scaledIterations { try await paths.verifyToken() }
    } setup: {
        try await HotPaths.make(directory: directory + "/verify")
    }

    Benchmark("Verify a token (session read from SQLite)") { benchmark, paths in
        for _ in benchmark.scaledIterations { try await paths.verifyTokenReadingSession() }
    } setup: {
        try await HotPaths.make(directory: directory + "/verify-read")
    }

    Benchmark("Fetch and decode a page of 50 tasks (SQLite)") { benchmark, paths in
        for _ in benchmark.scaledIterations { blackHole(try await paths.fetchPage()) }
    } setup: {
        try await HotPaths.make(directory: directory + "/fetch")
    }

    if let url = ProcessInfo.processInfo.environment["BENCH_DATABASE_URL"] {
        Benchmark("Fetch and decode a page of 50 tasks (PostgreSQL)") { benchmark, paths in
            for _ in benchmark.scaledIterations { blackHole(try await paths.fetchPage()) }
        } setup: {
            try await HotPaths.make(postgresURL: url)
        }
    }
}

import Foundation
import Logging
import NIOCore
import PostgresNIO
import Punchlist
import Testing

/// The databases a test runs on: SQLite always; PostgreSQL whenever a server can be had
/// (`TEST_DATABASE_URL`, or a throwaway cluster from `scripts/pg-test-cluster`). Under `CI=true`
/// a missing PostgreSQL fails the run instead of skipping it.
enum TestDatabase: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// The databases to parameterise over.
    static let all: [TestDatabase] = {
        if PostgresServer.url != nil || ProcessInfo.processInfo.environment["CI"] == "true" { return [.sqlite, .postgres] }
        return [.sqlite]
    }()

    /// Environment variables that point a new application at a fresh, empty database of this kind.
    func freshEnvironment() async throws -> [String: String] {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("punchlist-test-\(UUID().uuidString)")
            return ["DATA_DIR": directory.path]
        case .postgres:
            return ["DATABASE_URL": try await PostgresServer.freshDatabase()]
        }
    }
}

/// The PostgreSQL server the tests use, found once per test process.
enum PostgresServer {
    static let url: String? = {
        if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty { return url }
        return startThrowawayCluster()
    }()

    /// Runs `scripts/pg-test-cluster start`, which prints the URL of a cluster it starts or finds.
    private static func startThrowawayCluster() -> String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/pg-test-cluster")
        guard FileManager.default.isExecutableFile(atPath: script.path) else { return nil }
        let process = Process()
        process.executableURL = script
        process.arguments = ["start"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let url = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return url.isEmpty ? nil : url
    }

    /// Creates an empty database on the server and returns its URL.
    static func freshDatabase() async throws -> String {
        guard let url, var components = URLComponents(string: url) else {
            throw TestFailure("PostgreSQL is required (CI=true) but neither TEST_DATABASE_URL nor scripts/pg-test-cluster gave one")
        }
        let name = "punchlist_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await withAdminConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "test"))
        }
        components.path = "/\(name)"
        return components.string!
    }

    /// Drops a database made by ``freshDatabase()`` once its test is done (a no-op for SQLite environments).
    static func dropDatabase(in environment: [String: String]) async {
        guard let url = environment["DATABASE_URL"], let name = URLComponents(string: url)?.path.dropFirst(),
            name.hasPrefix("punchlist_test_")
        else { return }
        _ = try? await withAdminConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: Logger(label: "test"))
        }
    }

    @discardableResult
    static func withAdminConnection<Result: Sendable>(_ work: (PostgresConnection) async throws -> Result) async throws -> Result {
        guard let url, let components = URLComponents(string: url) else { throw TestFailure("no PostgreSQL") }
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: Logger(label: "test")
        ).get()
        defer { Task { try? await connection.close() } }
        return try await work(connection)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

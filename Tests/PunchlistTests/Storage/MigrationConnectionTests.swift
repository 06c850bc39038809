import Foundation
import Logging
import PostgresNIO
import Testing

@testable import Punchlist

/// `migrate` runs on a connection of its own, outside the pool, and waits there for the lock that
/// lets one replica of several migrate. When PostgreSQL closes that connection (a restart, Neon
/// scaling to zero, an administrator), `migrate` must fail with an error that start-up retries,
/// instead of waiting for ever with a connection nobody answers. (Before
/// migrate's queries went through GuardedQueries.swift, four or five rounds in five hung: the lock's
/// query failed as the connection closed, and the unlock after it was written into the closing channel.)
@Suite struct MigrationConnectionTests {
    @Test func migrateFailsInsteadOfWaitingWhenItsConnectionIsClosed() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        let environment = try await TestDatabase.postgres.freshEnvironment()
        guard case .postgres(let location) = try Settings(environment: environment).database else { throw TestFailure("not PostgreSQL") }
        var logger = Logger(label: "migration-connection")
        logger.logLevel = .critical
        let store = try PostgresStore(location: location, direct: nil, poolSize: 1, logger: logger)
        try await store.migrate()
        let database = store.direct.database

        for round in 1...5 {
            // Another replica holds the lock, so that this one's `migrate` waits for it.
            try await store.withDirectConnection { holder in
                _ = try await holder.query("SELECT pg_advisory_lock(7860001)", logger: logger).collect()
                let migrating = Task { try await store.migrate() }
                let waiting = try await Self.backendWaitingForTheLock(in: database, logger: logger)
                try await PostgresServer.withAdminConnection { admin in
                    _ = try await admin.query("SELECT pg_terminate_backend(\(waiting))", logger: logger).collect()
                }
                let failed = await GuardedQueriesTests.finishes(within: .seconds(10)) {
                    do {
                        try await migrating.value
                        Issue.record("round \(round): migrate succeeded on a closed connection")
                    } catch {
                        // Start-up tries again until DATABASE_STARTUP_TIMEOUT, as for a database not up yet.
                        #expect(isConnectionFailure(error), "round \(round): start-up would give up on \(error)")
                    }
                }
                #expect(failed, "round \(round): migrate still waits 10 s after its connection was closed")
                _ = try await holder.query("SELECT pg_advisory_unlock(7860001)", logger: logger).collect()
            }
            // ... and the next start migrates (finds nothing to do) as usual.
            try await store.migrate()
        }
        await PostgresServer.dropDatabase(in: environment)
    }

    /// The process id of the backend in `database` that waits for an advisory lock.
    static func backendWaitingForTheLock(in database: String, logger: Logger) async throws -> Int32 {
        for _ in 0..<100 {
            let pid: Int32? = try await PostgresServer.withAdminConnection { admin in
                let rows = try await admin.query(
                    "SELECT pid FROM pg_stat_activity WHERE datname = \(database) AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
                    logger: logger)
                for try await pid in rows.decode(Int32.self) { return pid }
                return nil
            }
            if let pid { return pid }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("no backend waits for the migration lock")
    }
}

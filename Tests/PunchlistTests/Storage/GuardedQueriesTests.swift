import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import Punchlist

/// When PostgreSQL closes the pool's connections (a restart, Neon scaling to zero, an idle timeout),
/// every kind of query comes back: one that meets a connection closed a moment before fails at once
/// instead of waiting for ever with its lease (without GuardedQueries.swift, three runs in four of
/// this test hung), and the pool's new connections prepare the statements anew while the closed
/// ones are forgotten.
@Suite struct GuardedQueriesTests {
    @Test func everyQueryComesBackAfterTheDatabaseClosesThePoolsConnections() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        let environment = try await TestDatabase.postgres.freshEnvironment()
        guard case .postgres(let location) = try Settings(environment: environment).database else { throw TestFailure("not PostgreSQL") }
        var logger = Logger(label: "guarded-queries")
        logger.logLevel = .critical
        let store = try PostgresStore(location: location, direct: nil, poolSize: 4, logger: logger)
        try await store.migrate()
        // Not awaited at the end: a request lost to a closed connection would keep the pool from stopping.
        let pool = Task { await store.client.run() }
        defer { pool.cancel() }

        var user = try await makeUser(in: store)
        let task = makeTask("survives", for: user)
        _ = try await store.insert(tasks: [task], userID: user.id)
        let operations: [(name: String, run: @Sendable (User) async throws -> Void)] = [
            ("read a task", { user in _ = try #require(try await store.task(id: task.id, userID: user.id)) }),
            ("read the first page", { user in _ = try await store.tasks(userID: user.id, matching: TaskQuery()) }),
            ("read a filtered page", { user in
                var open = TaskQuery()
                open.status = .open
                _ = try await store.tasks(userID: user.id, matching: open)
            }),
            ("create a task", { user in _ = try await store.insert(tasks: [makeTask("after", for: user)], userID: user.id) }),
            ("toggle a task", { user in
                _ = try await store.modifyTask(id: task.id, userID: user.id) { current in
                    var changed = current
                    changed.completed.toggle()
                    changed.version += 1
                    return .update(changed, follower: nil)
                }
            }),
            ("read a user", { user in _ = try #require(try await store.user(id: user.id)) }),
            ("update a user in a transaction", { user in try await store.update(user: user, revokingSessionsExcept: UUID()) }),
        ]
        for round in 1...5 {
            // Each once (an error here is a failure), then all at once, so that several pooled
            // connections prepare their statements.
            for operation in operations { try await operation.run(user) }
            #expect(await Self.allFinish(operations, as: user, within: .seconds(10)).isEmpty)
            let before = store.prepared.connections
            try #require(!before.isEmpty)

            let database = store.direct.database
            try await PostgresServer.withAdminConnection { admin in
                _ = try await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(database)", logger: logger)
                    .collect()
            }

            // All at once again, at once: some meet connections the pool has not yet seen close.
            // They must fail, not hang, and then work.
            let stuck = await Self.allFinish(operations, as: user, within: .seconds(10))
            #expect(stuck.isEmpty, "round \(round): these did not come back: \(stuck)")
            guard stuck.isEmpty else { return }
            for _ in 0..<50 where !store.prepared.connections.isDisjoint(with: before) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(store.prepared.connections.isDisjoint(with: before), "round \(round): closed connections forgotten")
            user.updatedAt = Date().roundedToMilliseconds
        }
        await PostgresServer.dropDatabase(in: environment)
    }

    /// The names of the operations that did not succeed within `limit`, each retried while it fails.
    /// One that hangs is left behind, not awaited.
    static func allFinish(
        _ operations: [(name: String, run: @Sendable (User) async throws -> Void)], as user: User, within limit: Duration
    ) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for operation in operations {
                group.addTask {
                    let succeeded = await finishes(within: limit) {
                        while (try? await operation.run(user)) == nil { try? await Task.sleep(for: .milliseconds(50)) }
                    }
                    return succeeded ? nil : operation.name
                }
            }
            return await group.reduce(into: [String]()) { if let name = $1 { $0.append(name) } }
        }
    }

    /// Whether `work` finished within `limit`; if not, it is left running.
    static func finishes(within limit: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let once = Once()
        return await withCheckedContinuation { continuation in
            once.set(continuation)
            Task {
                await work()
                once.resume(true)
            }
            Task {
                try? await Task.sleep(for: limit)
                once.resume(false)
            }
        }
    }

    final class Once: Sendable {
        private let continuation = Mutex<CheckedContinuation<Bool, Never>?>(nil)
        func set(_ value: CheckedContinuation<Bool, Never>) { continuation.withLock { $0 = value } }
        func resume(_ value: Bool) { continuation.withLock { $0.take() }?.resume(returning: value) }
    }
}

import Foundation
import PostgresNIO
import Testing

@testable import Punchlist

/// The reads prepared on each pooled connection (``PreparedReads``) outlive the connections: when
/// PostgreSQL closes them (a restart, Neon scaling to zero, an idle timeout), the pool's new
/// connections prepare the statements anew, and the closed ones are forgotten. A read that meets a
/// connection closed a moment before fails instead of waiting for ever (one in ten runs hung before
/// ``PostgresConnection/unlessClosed(_:)``).
@Suite struct PreparedReadsTests {
    @Test(.timeLimit(.minutes(1)))
    func readsWorkAgainAfterTheDatabaseClosesThePoolsConnections() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await withStore(.postgres) { store in
            let postgres = try #require(store as? PostgresStore)
            let user = try await makeUser(in: store)
            let task = makeTask("survives", for: user)
            _ = try await store.insert(tasks: [task], userID: user.id)
            // Several at once, so that several pooled connections prepare the reads.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let read = try await store.task(id: task.id, userID: user.id)
                        let page = try await store.tasks(userID: user.id, matching: TaskQuery())
                        #expect(read?.title == "survives")
                        #expect(page.items.map(\.id) == [task.id])
                    }
                }
                try await group.waitForAll()
            }
            let before = postgres.reads.connections
            try #require(!before.isEmpty)

            // Every connection of the pool to this database, closed by the server.
            let database = postgres.direct.database
            try await PostgresServer.withAdminConnection { admin in
                _ = try await admin.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(database)", logger: postgres.logger
                ).collect()
            }

            // A read may still meet a connection the pool has not yet seen close; it must not keep failing.
            var read: TaskItem?
            for _ in 0..<50 where read == nil {
                read = try? await store.task(id: task.id, userID: user.id)
                if read == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(read?.title == "survives")
            #expect(try await store.tasks(userID: user.id, matching: TaskQuery()).items.map(\.id) == [task.id])
            // The closed connections are forgotten; the new ones prepared the reads anew.
            for _ in 0..<50 where !postgres.reads.connections.isDisjoint(with: before) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(postgres.reads.connections.isDisjoint(with: before))
            #expect(!postgres.reads.connections.isEmpty)
        }
    }
}

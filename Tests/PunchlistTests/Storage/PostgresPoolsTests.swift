import NIOCore
import NIOPosix
import PostgresNIO
import Testing

@testable import Punchlist

/// One pool per event loop (``PostgresPools``): a query made on a loop goes out on a connection of
/// that loop, so its answer needs no other thread.
@Suite struct PostgresPoolsTests {
    @Test(.enabled(if: TestDatabase.all.contains(.postgres)))
    func aQueryMadeOnAnEventLoopUsesAConnectionOfThatLoop() async throws {
        try await withStore(.postgres) { store in
            let postgres = try #require(store as? PostgresStore)
            for loop in PostgresClient.defaultEventLoopGroup.makeIterator() {
                let sameLoop = try await withTaskExecutorPreference(EventLoopExecutor(loop)) {
                    try await postgres.client.withConnection { connection in
                        _ = try await connection.query("SELECT 1", logger: connection.logger).collect()
                        return connection.eventLoop === loop
                    }
                }
                #expect(sameLoop)
            }
            // Off the loops, queries still find a pool.
            _ = try await postgres.client.query("SELECT 1").collect()
        }
    }
}

import Logging
import NIOCore
import PostgresNIO

// Every query goes through here and takes its rows all at once: on the pool's connections, and on
// the direct one that migrates (MigrationConnectionTests: a migration waiting for its lock hung
// four times in five when that connection was closed).
//
// The pool can lease a connection that the server closed a moment before (a restart, Neon scaling
// to zero, `pg_terminate_backend`), before it has heard. PostgresNIO writes the request into the
// closed channel, which drops it without a word, and the request's future never completes: the
// caller waits for ever and holds its lease, so that each such moment takes a connection from the
// pool for good (GuardedQueriesTests; one run in three of its first version hung on a write).
// PostgresNIO's async API cannot be woken from outside; its futures can.

extension PostgresConnection {
    /// `request`'s answer, or ``StoreError/unavailable`` if this connection turns out to be closed
    /// when the request reaches its event loop: a check queued there runs after the request's write,
    /// so it sees the channel as that write found it.
    func unlessClosed<Value: Sendable>(_ request: EventLoopFuture<Value>) -> EventLoopFuture<Value> {
        let answer = eventLoop.makePromise(of: Value.self)
        request.cascade(to: answer)
        // A promise keeps its first result, so whichever comes second is ignored.
        eventLoop.execute { if self.isClosed { answer.fail(StoreError.unavailable) } }
        return answer.futureResult
    }

    /// The rows of `query` all at once, gathered on this connection's event loop. (Iterating rows as
    /// an async sequence costs about ten calls through the concurrency runtime per row, and on a
    /// connection served on its event loop each of those looks up the task's executor preference
    /// under a lock: BENCHMARKS.md, eighth round.)
    @discardableResult
    func allRows(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        let result: EventLoopFuture<PostgresQueryResult> = self.query(query, logger: logger)
        return try await unlessClosed(result).get()
    }

    /// `work` in a transaction on this connection, which it must query through ``allRows(_:logger:)``.
    /// An error thrown by `work` itself (a 412, say) comes out as it was.
    func transaction<Result: Sendable>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation, _ work: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await allRows("BEGIN", logger: logger)
        let result: Result
        do {
            result = try await work(self)
        } catch {
            _ = try? await allRows("ROLLBACK", logger: logger)
            throw error
        }
        try await allRows("COMMIT", logger: logger)
        return result
    }
}

extension PostgresClient {
    /// The rows of `query` all at once, on a pooled connection; tried again if a concurrent
    /// transaction turns it away (``PostgresConflict``).
    @discardableResult
    func allRows(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        try await withConnection { connection in
            try await PostgresConflict.retrying { try await connection.allRows(query, logger: logger) }
        }
    }

    /// `work` in a transaction on a pooled connection (``PostgresConnection/transaction(logger:_:)``),
    /// all of it tried again if a concurrent transaction turns it away (``PostgresConflict``).
    func transaction<Result: Sendable>(logger: Logger, _ work: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await withConnection { connection in
            try await PostgresConflict.retrying { try await connection.transaction(logger: logger, work) }
        }
    }
}

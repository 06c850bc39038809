import PostgresNIO

/// PostgreSQL turning a statement or transaction away because of a concurrent one, having rolled
/// it back: SQLSTATE 40001 (serialization failure) and 40P01 (deadlock detected). Both say "try
/// again", and trying again is safe, since nothing of the attempt was kept.
///
/// Punchlist's own statements do not meet them at PostgreSQL's default isolation, READ COMMITTED,
/// except in a deadlock; on a server or database whose `default_transaction_isolation` is
/// REPEATABLE READ or SERIALIZABLE, two writes of one user meet them all the time (each write
/// bumps the user's event counter). Every pooled query and transaction is therefore tried up to
/// ``attempts`` times, a little apart, and only then answers `503 database_busy`
/// (``ProblemMiddleware``; ConflictRetryTests).
enum PostgresConflict {
    /// Tries in all, the first included.
    static let attempts = 8

    static func isConflict(sqlState: String) -> Bool {
        sqlState == "40001" || sqlState == "40P01"
    }

    /// Whether PostgreSQL answered `error` because of a concurrent transaction.
    static func isConflict(_ error: any Error) -> Bool {
        PostgresOutage.sqlState(of: error).map(isConflict(sqlState:)) == true
    }

    /// `work`, tried again while PostgreSQL turns it away for a concurrent transaction. Each wait is
    /// random, up to 2, 4, … 64 ms, so that writers that collided do not collide again in step.
    static func retrying<Result>(
        isolation: isolated (any Actor)? = #isolation, _ work: () async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await work()
            } catch where attempt < attempts && isConflict(error) {
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(1 << min(attempt, 6)))))
                attempt += 1
            }
        }
    }
}

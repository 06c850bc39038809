import Logging
import PostgresNIO
import Synchronization

/// Statements prepared on the pool's connections, run with their rows all at once.
///
/// PostgresNIO's `execute(_: PostgresPreparedStatement)` hands rows over only as an async sequence,
/// and each row of it costs about ten calls into the concurrency runtime (BENCHMARKS.md, eighth
/// round); nor can a request of it be woken once lost to a connection that closed (GuardedQueries.swift).
/// Its older `PreparedQuery` gathers the rows on the connection's event loop, resumes the request
/// once, and answers with a future. A statement is prepared on a pooled connection the first time
/// that connection runs it, and forgotten when the connection closes.
///
/// `PreparedQuery` labels every cell with the text format of the statement's description although
/// its `Bind` asks for binary results, as PostgresNIO's newer API does: ``TaskCells`` reads these
/// rows as binary, whatever their label (`binaryResults`).
final class PreparedQueries: Sendable {
    private let prepared = Mutex<[PostgresConnection.ID: [ObjectIdentifier: PreparedQuery]]>([:])

    /// The rows of `statement`, prepared on whichever pooled connection runs it, with `binds` for its
    /// placeholders; tried again if a concurrent transaction turns it away (``PostgresConflict``).
    func rows(_ statement: any PreparedSQL.Type, _ binds: [PostgresData], on client: PostgresClient) async throws -> [PostgresRow] {
        // Known by type: hashing the text of a write (2 kB) cost more than the rest of the look-up.
        let (key, sql) = (ObjectIdentifier(statement), statement.sql)
        return try await client.withConnection { connection in
            let prepared = try await self.prepared(key, sql, on: connection)
            return try await PostgresConflict.retrying { try await connection.unlessClosed(prepared.execute(binds)).get() }
        }
    }

    /// The pooled connections that have statements prepared here (for tests).
    var connections: Set<PostgresConnection.ID> { prepared.withLock { Set($0.keys) } }

    private func prepared(_ key: ObjectIdentifier, _ sql: String, on connection: PostgresConnection) async throws -> PreparedQuery {
        if let known = prepared.withLock({ $0[connection.id]?[key] }) { return known }
        // A pooled connection runs one request at a time, so nobody else prepares on it meanwhile.
        let made = try await connection.unlessClosed(connection.prepare(query: sql)).get()
        let isFirst = prepared.withLock { statements in
            defer { statements[connection.id, default: [:]][key] = made }
            return statements[connection.id] == nil
        }
        if isFirst {
            let id = connection.id
            connection.closeFuture.whenComplete { [weak self] _ in _ = self?.prepared.withLock { $0.removeValue(forKey: id) } }
        }
        return made
    }
}

/// A statement whose text never changes, only its values: prepared once per pooled connection
/// (``PreparedQueries``), so PostgreSQL plans it once rather than on every request.
protocol PreparedSQL {
    static var sql: String { get }
}

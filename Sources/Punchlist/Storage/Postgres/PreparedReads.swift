import Logging
import PostgresNIO
import Synchronization

/// Prepared reads whose rows come back all at once. PostgresNIO's `execute(_: PostgresPreparedStatement)`
/// hands rows over only as an async sequence, and each row of it costs about ten calls into the
/// concurrency runtime (BENCHMARKS.md, eighth round); its older `PreparedQuery` gathers them on the
/// connection's event loop and resumes the request once. A statement is prepared on a pooled
/// connection the first time that connection runs it, and forgotten when the connection closes.
///
/// `PreparedQuery` labels every cell with the text format of the statement's description although
/// its `Bind` asks for binary results, as PostgresNIO's newer API does: ``TaskCells`` reads these
/// rows as binary, whatever their label (`binaryResults`).
final class PreparedReads: Sendable {
    private let prepared = Mutex<[PostgresConnection.ID: [String: PreparedQuery]]>([:])

    /// The rows of `sql`, prepared on whichever pooled connection runs it, with `binds` for its placeholders.
    func rows(_ sql: String, _ binds: [PostgresData], on client: PostgresClient) async throws -> [PostgresRow] {
        try await client.withConnection { connection in
            let statement = try await self.statement(sql, on: connection)
            return try await connection.unlessClosed(statement.execute(binds)).get()
        }
    }

    /// The pooled connections that have statements prepared here (for tests).
    var connections: Set<PostgresConnection.ID> { prepared.withLock { Set($0.keys) } }

    private func statement(_ sql: String, on connection: PostgresConnection) async throws -> PreparedQuery {
        if let known = prepared.withLock({ $0[connection.id]?[sql] }) { return known }
        // A pooled connection runs one request at a time, so nobody else prepares on it meanwhile.
        let made = try await connection.unlessClosed(connection.prepare(query: sql)).get()
        let isFirst = prepared.withLock { statements in
            defer { statements[connection.id, default: [:]][sql] = made }
            return statements[connection.id] == nil
        }
        if isFirst {
            let id = connection.id
            connection.closeFuture.whenComplete { [weak self] _ in _ = self?.prepared.withLock { $0.removeValue(forKey: id) } }
        }
        return made
    }
}

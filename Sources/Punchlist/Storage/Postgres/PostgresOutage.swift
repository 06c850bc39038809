import PostgresNIO

/// Which of PostgresNIO's errors mean that the database is not there for the moment (a restart,
/// Neon scaling to zero, a failover, an administrator ending connections, too many connections)
/// rather than that the request was wrong. Requests answer them `503 database_unavailable` with
/// `Retry-After` (``ProblemMiddleware``), and start-up tries again (``isConnectionFailure(_:)``).
///
/// PostgresNIO reports them in two shapes: `PSQLError` from its current API, and the older
/// `PostgresError` from the paths built on `PostgresDatabase.send` (``PreparedQueries``' reads).
enum PostgresOutage {
    /// SQLSTATE classes and codes of an outage: 08 connection exceptions, 53 insufficient resources
    /// (53300: too many connections), 57P operator intervention (57P01 terminated by an administrator
    /// or a shutdown, 57P02 a crash, 57P03 "the database system is not accepting connections" while
    /// it starts or recovers, 57P05 an idle session timed out). 57014, a cancelled query, is not one.
    static func isOutage(sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || sqlState.hasPrefix("53") || sqlState.hasPrefix("57P")
    }

    /// Whether PostgreSQL itself answered `error` because it is not there for now.
    static func serverSaysOutage(_ error: any Error) -> Bool {
        sqlState(of: error).map(isOutage(sqlState:)) == true
    }

    /// The SQLSTATE of an error PostgreSQL itself answered, in either of PostgresNIO's shapes.
    static func sqlState(of error: any Error) -> String? {
        switch error {
        case let error as PSQLError:
            error.code == .server ? error.serverInfo?[.sqlState] : nil
        case PostgresError.server(let message):
            message.fields[.sqlState]
        default:
            nil
        }
    }

    /// Whether `error` is the older API's word for a connection closed under a query.
    static func isClosedConnection(_ error: any Error) -> Bool {
        if case PostgresError.connectionClosed = error { true } else { false }
    }

    /// Whether `error`, met while serving a request, means the database is not there for now: the
    /// connection failed or closed, the pool is closed, or the server said so.
    static func isOutage(_ error: any Error) -> Bool {
        if let error = error as? PSQLError, error.code != .server { return true }
        return isClosedConnection(error) || serverSaysOutage(error)
    }
}

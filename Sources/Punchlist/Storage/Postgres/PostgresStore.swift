import Foundation
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The shared store: a pooled PostgreSQL client; several replicas may use one database.
public struct PostgresStore: Store {
    public var kind: String { "postgres" }
    /// The pool that serves requests; it answers once it runs as a service.
    let client: PostgresClient
    /// The statements prepared on the pool's connections.
    let prepared = PreparedQueries()
    /// A non-pooled address for migrations and, later, `LISTEN`.
    let direct: PostgresLocation
    let logger: Logger

    /// A store over a new client; the client must run as a service before queries are answered.
    public init(location: PostgresLocation, direct: PostgresLocation?, poolSize: Int, logger: Logger) throws {
        self.client = PostgresClient(configuration: try Self.configuration(location, poolSize: poolSize), backgroundLogger: logger)
        self.direct = direct ?? location
        self.logger = logger
    }

    /// Runs `work` on a connection of its own to the direct address, outside the pool, so that
    /// start-up work needs no running pool.
    func withDirectConnection<Result: Sendable>(_ work: (PostgresConnection) async throws -> Result) async throws -> Result {
        var configuration = PostgresConnection.Configuration(
            host: direct.host, port: direct.port, username: direct.username, password: direct.password, database: direct.database,
            tls: .disable)
        if let tls = Self.tls(for: direct) {
            let context = try NIOSSLContext(configuration: tls.configuration)
            configuration.tls = tls.required ? .require(context) : .prefer(context)
        }
        configuration.options.tlsServerName = Self.serverName(for: direct)
        configuration.options.connectTimeout = .seconds(5)
        let connection = try await PostgresConnection.connect(
            on: PostgresClient.defaultEventLoopGroup.next(), configuration: configuration, id: 0, logger: logger
        ).get()
        do {
            let result = try await work(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// libpq's `sslmode`, as a TLS configuration and whether TLS is required (nil: TLS off).
    static func tls(for location: PostgresLocation) -> (configuration: TLSConfiguration, required: Bool)? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.tlsMode {
        case .disable:
            return nil
        case .allow, .prefer, .require:
            // libpq's meaning: encrypt, but do not check the certificate.
            configuration.certificateVerification = .none
            return (configuration, location.tlsMode == .require)
        case .verifyCA, .verifyFull:
            configuration.certificateVerification = location.tlsMode == .verifyFull ? .fullVerification : .noHostnameVerification
            if let path = location.rootCertificatePath {
                configuration.trustRoots = .file(path)
            }
            return (configuration, true)
        }
    }

    /// The server name to send (SNI): Neon routes connections to the right endpoint by it. IP addresses are not names.
    static func serverName(for location: PostgresLocation) -> String? {
        var address = in6_addr()
        let isAddress = inet_pton(AF_INET, location.host, &address) == 1 || inet_pton(AF_INET6, location.host, &address) == 1
        return isAddress ? nil : location.host
    }

    static func configuration(_ location: PostgresLocation, poolSize: Int) throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch Self.tls(for: location) {
            case nil: .disable
            case let (configuration, required)?: required ? .require(configuration) : .prefer(configuration)
            }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: tls)
        configuration.options.tlsServerName = serverName(for: location)
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// A transaction on a pooled connection (``PostgresClient/transaction(logger:_:)``).
    func transaction<Result: Sendable>(_ work: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.transaction(logger: logger, work)
    }

    public func ping() async throws {
        try await client.allRows("SELECT 1", logger: logger)
    }

    public func migrate() async throws {
        try await withDirectConnection { connection in
            // One lock for the whole cluster of replicas: whoever holds it migrates, the others wait and find nothing to do.
            try await connection.allRows("SELECT pg_advisory_lock(7860001)", logger: logger)
            do {
                try await connection.allRows(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                    logger: logger)
                let applied = Set(
                    try await connection.allRows("SELECT version FROM schema_migrations", logger: logger).rows.map { try $0.decode(String.self) })
                for migration in PostgresMigrations.all where !applied.contains(migration.version) {
                    try await connection.transaction(logger: logger) { transaction in
                        // The extended protocol takes one statement at a time.
                        for statement in migration.sql.components(separatedBy: ";\n") {
                            let sql = statement.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
                                .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                            if !sql.isEmpty { try await transaction.allRows(PostgresQuery(unsafeSQL: sql), logger: logger) }
                        }
                        try await transaction.allRows("INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
                    }
                    logger.info("applied migration", metadata: ["migration": "\(migration.version)"])
                }
                if !applied.contains(PostgresSearch.refoldedVersion) {
                    try await PostgresSearch.refoldAll(connection, logger: logger)
                    try await connection.allRows("INSERT INTO schema_migrations (version) VALUES (\(PostgresSearch.refoldedVersion))", logger: logger)
                    logger.info("applied migration", metadata: ["migration": "\(PostgresSearch.refoldedVersion)"])
                }
            } catch {
                _ = try? await connection.allRows("SELECT pg_advisory_unlock(7860001)", logger: logger)
                throw error
            }
            try await connection.allRows("SELECT pg_advisory_unlock(7860001)", logger: logger)
        }
    }

    public func storeSettingIfAbsent(name: String, value: String) async throws -> String {
        try await withDirectConnection { connection in
            try await connection.allRows("INSERT INTO meta (key, value) VALUES (\(name), \(value)) ON CONFLICT (key) DO NOTHING", logger: logger)
            let rows = try await connection.allRows("SELECT value FROM meta WHERE key = \(name)", logger: logger).rows
            return try rows.first?.decode(String.self) ?? value
        }
    }
}

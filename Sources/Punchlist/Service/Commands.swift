import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// `punchlist migrate`: opens the configured database and applies pending migrations.
public func migrateDatabase(settings: Settings, logger: Logger) async throws {
    let store: any Store
    switch settings.database {
    case .sqlite(let path):
        store = try SQLiteStore(path: path)
    case .postgres(let location):
        var direct: PostgresLocation?
        if case .postgres(let directLocation)? = settings.directDatabase { direct = directLocation }
        store = try PostgresStore(location: location, direct: direct, poolSize: 1, logger: logger)
    }
    try await waitForDatabase(settings: settings, logger: logger) { try await store.migrate() }
    logger.info("database is up to date", metadata: ["database": "\(settings.database)"])
}

/// `punchlist healthcheck`: asks the local server's `/health`, giving up after two seconds.
public func checkHealth(settings: Settings) async -> Bool {
    let host = ["0.0.0.0", "::", ""].contains(settings.host) ? "127.0.0.1" : settings.host
    let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(settings.port)/health"
    do {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
        return response.status == .ok
    } catch {
        return false
    }
}

/// One line about why start-up failed, naming the setting at fault and never a secret.
public func describeStartupFailure(_ error: any Error) -> String {
    switch error {
    case let error as SettingsError:
        return error.description
    case let error as IOError:
        return "HOST/PORT: cannot listen there: \(error.description)"
    case let error as PSQLError:
        let message = error.serverInfo?[.message] ?? "\(error.code)"
        return "DATABASE_URL: the PostgreSQL server refused us: \(message)"
    default:
        return "could not start: \(error)"
    }
}

import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Facts about this build of Punchlist.
public enum Punchlist {
    /// The version `/health`, `/` and `punchlist version` report.
    public static let version = "0.1.0"
}

/// Builds the whole application from its settings: storage (migrated), services, middleware and
/// routes. The executable and the tests both use it, so tests run the real thing.
public func buildApplication(settings: Settings, logger: Logger) async throws -> some ApplicationProtocol {
    let opened = try await openStore(settings: settings, logger: logger)
    let store = opened.store
    try await waitForDatabase(settings: settings, logger: logger) { try await store.migrate() }

    let router = Router(context: AppRequestContext.self)
    let openAPIDocument = PackageResources.openapi_json
    router.addMiddleware {
        RequestIDMiddleware()
        MetricsMiddleware()
        CORSMiddleware(origins: settings.corsOrigins)
        ProblemMiddleware(routes: RouteCatalog(openAPIDocument: openAPIDocument))
    }
    ServiceRoutes(store: store, metricsToken: settings.metricsToken, openAPIDocument: openAPIDocument).register(on: router)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
        onServerRunning: { channel in
            logger.info("serving", metadata: ["address": "\(channel.localAddress?.description ?? "?")", "database": "\(settings.database)"])
        },
        logger: logger
    )
    app.addServices(opened.services)
    return app
}

/// The store for the configured database, and the services that keep it open and close it.
private func openStore(settings: Settings, logger: Logger) async throws -> (store: any Store, services: [any Service]) {
    switch settings.database {
    case .sqlite(let path):
        let store = try SQLiteStore(path: path)
        return (store, [StoreCloser(store: store)])
    case .postgres(let location):
        var direct: PostgresLocation?
        if case .postgres(let directLocation)? = settings.directDatabase { direct = directLocation }
        let store = try PostgresStore(location: location, direct: direct, poolSize: settings.databasePoolSize, logger: logger)
        return (store, [store.client])
    }
}

/// Retries the first contact with the database until `DATABASE_CONNECT_TIMEOUT`: Neon wakes in
/// under a second, a Compose database may take a few.
func waitForDatabase(settings: Settings, logger: Logger, _ work: () async throws -> Void) async throws {
    let deadline = ContinuousClock.now + settings.databaseStartupTimeout
    var pause = Duration.milliseconds(200)
    while true {
        do {
            return try await work()
        } catch let error where isConnectionFailure(error) && ContinuousClock.now + pause < deadline {
            logger.warning("database not reachable yet; retrying", metadata: ["database": "\(settings.database)", "retry_in": "\(pause)"])
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(2))
        } catch where isConnectionFailure(error) {
            throw SettingsError(
                settings.database.kind == "postgres" ? "DATABASE_URL" : "DATA_DIR",
                expected: "a reachable database; \(settings.database) did not answer within \(settings.databaseStartupTimeout)")
        }
    }
}

private func isConnectionFailure(_ error: any Error) -> Bool {
    if let error = error as? PSQLError {
        return [.connectionError, .serverClosedConnection, .uncleanShutdown, .poolClosed].contains(error.code)
    }
    return error is ChannelError || error is IOError || error is NIOConnectionError
}

/// Closes the SQLite pool once the server has stopped.
private struct StoreCloser: Service {
    let store: SQLiteStore

    func run() async throws {
        try? await gracefulShutdown()
        try await store.shutdown()
    }
}

import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Facts about this build of Punchlist.
public enum Punchlist {
    /// The version `/health`, `/` and `punchlist version` report.
    public static let version = "0.1.0"
}

/// The whole server: the HTTP application and what must stop before it on shutdown.
public struct PunchlistServer: Sendable {
    /// The application; tests drive it directly.
    public let application: Application<RouterResponder<AppRequestContext>>
    let live: LiveHub
    let logger: Logger

    /// Runs until SIGTERM or SIGINT: then live connections close with 1001 first, then the HTTP
    /// server stops accepting, finishes requests in flight, and the database closes.
    public func run() async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: application, serviceName: "Application"),
                    .init(service: LiveConnectionsCloser(hub: live), serviceName: "LiveConnectionsCloser"),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Builds the application (see ``buildServer(settings:logger:)``), as tests use it.
public func buildApplication(settings: Settings, logger: Logger) async throws -> Application<RouterResponder<AppRequestContext>> {
    try await buildServer(settings: settings, logger: logger).application
}

/// Builds the whole server from its settings: storage (migrated), services, middleware and routes.
/// The executable and the tests both use it, so tests run the real thing.
public func buildServer(settings: Settings, logger: Logger) async throws -> PunchlistServer {
    // Metrics made before the metrics system is bootstrapped would stay no-ops forever.
    _ = ServiceMetrics.registry
    let opened = try await openStore(settings: settings, logger: logger)
    let reachability = opened.store is PostgresStore ? DatabaseReachability() : nil
    let store: any Store = MeteredStore(opened.store, poolSize: opened.poolSize, reachability: reachability)
    try await waitForDatabase(settings: settings, logger: logger) { try await store.migrate() }
    let secret = try await signingSecret(settings: settings, store: store)
    let live = LiveHub()

    let router = Router(context: AppRequestContext.self)
    let webSocketRouter = Router(context: AppRequestContext.self)
    let openAPIDocument = PackageResources.openapi_json
    let webApp = WebAssets(directory: settings.publicDirectory)
    if webApp.isEmpty { logger.notice("no web app found; GET / serves a page that links to the API docs", metadata: ["public_dir": "\(settings.publicDirectory)"]) }
    router.addMiddleware {
        RequestIDMiddleware()
        RequestMetricsMiddleware()
        CORSMiddleware(origins: settings.corsOrigins)
        ProblemMiddleware()
        WebAppMiddleware(assets: webApp)
    }
    ServiceRoutes(store: store, metricsToken: settings.metricsToken, openAPIDocument: openAPIDocument).register(on: router)

    // With PostgreSQL, other replicas end sessions too: trust the cache only while their NOTIFYs arrive.
    let sessions = SessionCache(trusted: !(opened.store is PostgresStore))
    let authenticator = await Authenticator(store: store, secret: secret, settings: settings, logger: logger, sessions: sessions)
    var accounts = AccountService(
        store: store, hasher: PasswordHasher(cost: settings.bcryptCost), authenticator: authenticator, tokenLifetime: settings.tokenLifetime)
    accounts.sessionsEnded = { signal in
        // Other replicas hear of it from the store, in the transaction that ended the sessions.
        sessions.receive(signal)
        live.receive(signal)
    }
    let api = router.group("api")
    let authenticated = router.group("api").add(middleware: AuthMiddleware(authenticator: authenticator))
    AccountRoutes(accounts: accounts, rateLimiter: settings.authRateLimit.map(RateLimiter.init), forwardedHops: settings.forwardedHops)
        .register(public: api, authenticated: authenticated)
    var tasks = TaskService(store: store)
    tasks.published = { events in live.publish(events) }
    TaskTransferRoutes(tasks: tasks).register(on: authenticated)
    TaskRoutes(tasks: tasks, parameters: TaskListParameters(cursors: TaskCursor(secret: secret))).register(on: authenticated)
    LiveRoutes(feed: LiveFeed(store: store, hub: live), authenticator: authenticator).register(http: router, webSocket: webSocketRouter)
    let tools = TaskTools(tasks: tasks, logger: logger)
    let model = LanguageModel(settings.assistant)
    let embedder = settings.assistant.embeddingModel.flatMap { name in model.map { (model: $0, name: name) } }
    let assistant = Assistant(
        store: store, tools: tools, retrieval: Retrieval(store: store, embedder: embedder, logger: logger), model: model,
        settings: settings.assistant, logger: logger)
    // The assistant's work (model answers, ranking tasks, tool rounds) is neither small nor urgent: off the event loops.
    AssistantRoutes(assistant: assistant, rateLimiter: settings.assistant.rateLimit.map(RateLimiter.init))
        .register(on: authenticated.group().add(middleware: SharedPoolMiddleware()))
    MCPEndpoint(tools: tools).register(
        on: router.group().add(middleware: AuthMiddleware(authenticator: authenticator)).add(middleware: SharedPoolMiddleware()))
    if model == nil { logger.info("assistant off: set LLM_BASE_URL and LLM_MODEL to turn it on (MCP at /mcp works without them)") }

    var app = Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: webSocketRouter,
            // The library closes a connection that has not answered its ping within this period; our own
            // keep-alive pings every 20 seconds (LiveFeed) keep proxies from dropping quiet connections.
            configuration: .init(http1: .init(), ws: .init(autoPing: .enabled(timePeriod: .seconds(60)))),
            onConnectionLoop: opened.store is PostgresStore),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
        onServerRunning: { channel in
            logger.info("serving", metadata: ["address": "\(channel.localAddress?.description ?? "?")", "database": "\(settings.database)"])
            returnStartUpMemory()
        },
        logger: logger
    )
    app.addServices(opened.services)
    app.addServices(Pruner(store: store, logger: logger))
    if let model { app.addServices(ModelClientCloser(model: model)) }
    if let postgres = opened.store as? PostgresStore {
        warnIfPooled(settings: settings, logger: logger)
        app.addServices(PostgresLiveListener(store: postgres, hub: live, sessions: sessions, reachability: reachability, logger: logger))
    }
    return PunchlistServer(application: app, live: live, logger: logger)
}

/// Gives back to the system the heap that start-up used and freed (migrations, route set-up): glibc
/// keeps freed memory for reuse, and an idle server would carry it as resident for good. About 2.3
/// MiB of idle RSS (docs/BENCHMARKS.md, "Idle memory").
/// (`malloc_trim` is looked up at run time: Swift's Glibc module does not export `<malloc.h>`.)
private func returnStartUpMemory() {
    #if os(Linux)
    typealias MallocTrim = @convention(c) (UInt) -> Int32  // int malloc_trim(size_t pad)
    if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: MallocTrim.self)(0) }
    #endif
}

/// `LISTEN` needs a direct connection: a transaction-mode pooler (Neon's `-pooler` host, PgBouncer on 6543) drops it.
private func warnIfPooled(settings: Settings, logger: Logger) {
    guard settings.directDatabase == nil, case .postgres(let location) = settings.database,
        location.host.contains("-pooler") || location.port == 6543
    else { return }
    logger.warning(
        "DATABASE_URL looks like a connection pooler and DATABASE_DIRECT_URL is not set: live updates across replicas need a direct connection")
}

/// `AUTH_SECRET` when set; otherwise one random secret, generated by whichever replica starts
/// first and kept in the database, so restarts and replicas agree and a first run needs no set-up.
private func signingSecret(settings: Settings, store: any Store) async throws -> String {
    if let secret = settings.authSecret { return secret }
    var generator = SystemRandomNumberGenerator()
    let candidate = Data((0..<48).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    return try await store.storeSettingIfAbsent(name: "auth_secret", value: candidate)
}
/// Whether `path` is (or can be made) a directory this process can write in.
private func isWritableDirectory(_ path: String) -> Bool {
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return FileManager.default.isWritableFile(atPath: path)
}

/// The store for the configured database, and the services that keep it open and close it.
private func openStore(settings: Settings, logger: Logger) async throws -> (store: any Store, services: [any Service], poolSize: Int) {
    switch settings.database {
    case .sqlite(var path):
        let defaultPath = (settings.dataDirectory as NSString).appendingPathComponent("punchlist.sqlite")
        if path == defaultPath, !isWritableDirectory(settings.dataDirectory) {
            // A container without a mounted volume (a Hugging Face Space without persistent storage): keep
            // serving, from a temporary directory, and say plainly what that means.
            let fallback = (NSTemporaryDirectory() as NSString).appendingPathComponent("punchlist")
            logger.warning(
                "DATA_DIR is not writable; SQLite data goes to a temporary directory and will NOT survive a restart. Mount a volume there, or set DATABASE_URL to PostgreSQL.",
                metadata: ["data_dir": "\(settings.dataDirectory)", "using": "\(fallback)"])
            path = (fallback as NSString).appendingPathComponent("punchlist.sqlite")
        }
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: path)
        } catch {
            throw SettingsError(
                settings.database == .sqlite(path: (settings.dataDirectory as NSString).appendingPathComponent("punchlist.sqlite"))
                    ? "DATA_DIR" : "DATABASE_URL",
                expected: "a writable place for the SQLite database, but \(path) cannot be opened: \(error)")
        }
        return (store, [StoreCloser(store: store)], store.connectionCount)
    case .postgres(let location):
        var direct: PostgresLocation?
        if case .postgres(let directLocation)? = settings.directDatabase { direct = directLocation }
        let store = try PostgresStore(location: location, direct: direct, poolSize: settings.databasePoolSize, logger: logger)
        return (store, [store.client], settings.databasePoolSize)
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
        } catch let error where isConnectionFailure(error) {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw SettingsError(
                    settings.directDatabase != nil ? "DATABASE_DIRECT_URL" : settings.database.kind == "postgres" ? "DATABASE_URL" : "DATA_DIR",
                    expected: "a reachable database; \(settings.database) did not answer within \(settings.databaseStartupTimeout)")
            }
            logger.warning("database not reachable yet; retrying", metadata: ["database": "\(settings.database)", "retry_in": "\(pause)"])
            try await Task.sleep(for: min(pause, remaining))
            pause = min(pause * 2, .seconds(2))
        }
    }
}

/// Whether start-up should try `error`'s step again: the database did not answer, said it is not
/// there for now (``PostgresOutage``: starting up, shutting down, too many connections), or closed
/// the connection under it (``StoreError/unavailable`` is how a query found its connection closed).
/// A wrong password, a missing database or a bad certificate is not retried.
func isConnectionFailure(_ error: any Error) -> Bool {
    if let error = error as? PSQLError, error.code != .server {
        return [.connectionError, .serverClosedConnection, .uncleanShutdown, .poolClosed].contains(error.code)
    }
    return PostgresOutage.serverSaysOutage(error) || PostgresOutage.isClosedConnection(error)
        || error is ChannelError || error is IOError || error is NIOConnectionError || error as? StoreError == .unavailable
}

/// Closes the language model's HTTP client once the server has stopped.
private struct ModelClientCloser: NamedService {
    var description: String { "ModelClientCloser" }
    let model: LanguageModel

    func run() async throws {
        try? await gracefulShutdown()
        try await model.client.shutdown()
    }
}

/// Closes the SQLite pool once the server has stopped.
private struct StoreCloser: NamedService {
    var description: String { "StoreCloser" }
    let store: SQLiteStore

    func run() async throws {
        try? await gracefulShutdown()
        try await store.shutdown()
    }
}

import Foundation
import Logging

/// The hot paths of a request, with fixed inputs, for the micro-benchmarks in `Benchmarks/` (a
/// separate package, which sees only public API). The server does not use this.
public struct HotPaths: Sendable {
    let store: any Store
    /// Shuts the store down: SQLite closes its file, PostgreSQL's client stops running.
    let closing: @Sendable () async throws -> Void
    let page: TaskPage
    let userID: UUID
    let token: String
    /// Verifies with a trusted session cache (the usual request) ...
    let cached: Authenticator
    /// ... and with one that is never trusted (every request reads its session).
    let uncached: Authenticator

    /// A fresh SQLite database in `directory` with one user, one session and `tasks` tasks.
    public static func make(directory: String, tasks count: Int = 50) async throws -> HotPaths {
        let store = try SQLiteStore(path: (directory as NSString).appendingPathComponent("hot-paths.sqlite"))
        try await store.migrate()
        return try await make(store: store, tasks: count) { try await store.shutdown() }
    }

    /// The same on the PostgreSQL database at `url` (a scratch one: each call adds a user and its
    /// tasks, and leaves them there).
    public static func make(postgresURL url: String, tasks count: Int = 50) async throws -> HotPaths {
        guard case .postgres(let location) = try Settings(environment: ["DATABASE_URL": url]).database else {
            throw SettingsError("DATABASE_URL", expected: "a postgres:// address")
        }
        var logger = Logger(label: "hot-paths")
        logger.logLevel = .warning
        let store = try PostgresStore(location: location, direct: nil, poolSize: 1, logger: logger)
        let running = Task { await store.client.run() }
        do {
            try await store.migrate()
            return try await make(store: store, tasks: count) { running.cancel() }
        } catch {
            running.cancel()
            throw error
        }
    }

    private static func make(store: any Store, tasks count: Int, closing: @escaping @Sendable () async throws -> Void) async throws -> HotPaths {
        let now = Date().roundedToMilliseconds
        let user = User(
            id: .v7(at: now), email: "hot-\(UUID().uuidString.prefix(8).lowercased())@example.com", name: "Hot", passwordHash: nil,
            externalIdentity: nil, createdAt: now, updatedAt: now)
        try await store.insert(user: user)
        let session = Session(id: .v7(at: now), userID: user.id, createdAt: now, expiresAt: now + 86_400, revokedAt: nil)
        try await store.insert(session: session)
        let tasks = (0..<count).map { index in
            TaskItem(
                id: .v7(at: now + Double(index)), userID: user.id, title: "Write the quarterly report \(index)",
                description: index.isMultiple(of: 2) ? "Numbers from \"finance\", then the slides.\n" : "", completed: index.isMultiple(of: 3),
                priority: TaskItem.Priority.allCases[index % 4], tags: Array(["work", "home", "errand", "later"].prefix(index % 4)),
                dueAt: index.isMultiple(of: 2) ? now + Double(86_400 * index) : nil, recurrence: nil, anchorDay: nil,
                createdAt: now + Double(index), updatedAt: now + Double(index), completedAt: index.isMultiple(of: 3) ? now : nil, version: 1)
        }
        _ = try await store.insert(tasks: tasks, userID: user.id)
        let secret = "hot-paths-secret-0123456789-abcdefghijklmnop"
        let settings = try Settings(environment: ["AUTH_SECRET": secret])
        let logger = Logger(label: "hot-paths")
        let cached = await Authenticator(store: store, secret: secret, settings: settings, logger: logger, sessions: SessionCache(trusted: true))
        let uncached = await Authenticator(store: store, secret: secret, settings: settings, logger: logger)
        let token = try await cached.token(for: session)
        var query = TaskQuery()
        query.limit = count
        let page = try await store.tasks(userID: user.id, matching: query)
        return HotPaths(store: store, closing: closing, page: page, userID: user.id, token: token, cached: cached, uncached: uncached)
    }

    /// Encodes the page of tasks as the list route does; returns the byte count.
    public func encodePage() -> Int {
        page.json(nextCursor: nil).count
    }

    /// Authenticates the bearer token as most requests do: after the first call its claims are
    /// remembered (``VerifiedTokens``) and its session comes from the cache.
    public func verifyToken() async throws {
        _ = try await cached.identity(for: token)
    }

    /// Authenticates the bearer token reading the session row, as a request does when its session is not cached.
    public func verifyTokenReadingSession() async throws {
        _ = try await uncached.identity(for: token)
    }

    /// Runs the list statement and decodes its rows into tasks; returns how many.
    public func fetchPage() async throws -> Int {
        var query = TaskQuery()
        query.limit = page.items.count
        return try await store.tasks(userID: userID, matching: query).items.count
    }

    /// Closes the database.
    public func close() async throws {
        try await closing()
    }
}

import Foundation
import Logging

@testable import Punchlist

/// Opens a migrated store of the given kind on a fresh database and runs `body` with it.
func withStore(_ database: TestDatabase, _ body: @Sendable (any Store) async throws -> Void) async throws {
    let environment = try await database.freshEnvironment()
    defer { Task { await PostgresServer.dropDatabase(in: environment) } }
    let settings = try Settings(environment: environment)
    switch settings.database {
    case .sqlite(let path):
        let store = try SQLiteStore(path: path)
        try await store.migrate()
        try await body(store)
        try await store.shutdown()
    case .postgres(let location):
        var logger = Logger(label: "test-store")
        logger.logLevel = .warning
        let store = try PostgresStore(location: location, direct: nil, poolSize: 4, logger: logger)
        try await store.migrate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            try await body(store)
        }
    }
}

/// A user ready to own tasks in store-level tests.
func makeUser(in store: any Store, email: String = "owner-\(UUID().uuidString.prefix(8))@example.com") async throws -> User {
    let now = Date().roundedToMilliseconds
    let user = User(id: .v7(at: now), email: email, name: "Owner", passwordHash: "hash", externalIdentity: nil, createdAt: now, updatedAt: now)
    try await store.insert(user: user)
    return user
}

/// A plain task for `user`.
func makeTask(_ title: String, for user: User, due: Date? = nil, tags: [String] = []) -> TaskItem {
    let now = Date().roundedToMilliseconds
    return TaskItem(
        id: .v7(at: now), userID: user.id, title: title, description: "", completed: false, priority: .none, tags: tags, dueAt: due,
        recurrence: nil, anchorDay: nil, createdAt: now, updatedAt: now, completedAt: nil, version: 1)
}

import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode, many readers and one writer.
public struct SQLiteStore: Store, StoreLifecycle {
    public var kind: String { "sqlite" }
    let pool: DatabasePool

    /// Opens (creating if needed) the database file and its directory.
    public init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
        configuration.prepareDatabase { db in
            // WAL with NORMAL sync is durable across process crashes and fast; see docs/DECISIONS.md.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        inlineReaders = InlineReaders(path: path, configuration: configuration)
    }

    /// Connections for the hot reads, used on the calling thread.
    let inlineReaders: InlineReaders

    /// How many operations can run at once: the pool's readers and writer, and the inline readers.
    var connectionCount: Int { pool.configuration.maximumReaderCount + 1 + inlineReaders.capacity }

    public func migrate() async throws {
        try SQLiteMigrations.migrator.migrate(pool)
    }

    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Reads on the calling thread when an inline connection is free (``InlineReaders``), else
    /// through the pool. For short reads only: a long one would hold a thread of the cooperative pool.
    func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        if let result = try inlineReaders.read(value) { return result }
        return try await pool.read(value)
    }

    public func shutdown() async throws {
        inlineReaders.close()
        try pool.close()
    }

    public func storeSettingIfAbsent(name: String, value: String) async throws -> String {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", arguments: [name, value])
            return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [name]) ?? value
        }
    }

    // MARK: Users

    public func insert(user: User) async throws {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO users (id, email, name, password_hash, external_issuer, external_subject, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        user.id.lowercased, user.storedEmail, user.name, user.passwordHash, user.externalIdentity?.issuer,
                        user.externalIdentity?.subject, user.createdAt.milliseconds, user.updatedAt.milliseconds,
                    ])
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.emailTaken
        }
    }

    public func user(id: UUID) async throws -> User? {
        try await fetchUser(where: "id = ?", id.lowercased)
    }

    public func user(email: String) async throws -> User? {
        try await fetchUser(where: "email = ?", email)
    }

    public func user(external: User.ExternalIdentity) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM users WHERE external_issuer = ? AND external_subject = ?",
                arguments: [external.issuer, external.subject]
            ).map(Self.user(from:))
        }
    }

    private func fetchUser(where condition: String, _ value: String) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE \(condition)", arguments: [value]).map(Self.user(from:))
        }
    }

    public func update(user: User, revokingSessionsExcept keep: UUID?) async throws {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE users SET email = ?, name = ?, password_hash = ?, updated_at = ? WHERE id = ?",
                    arguments: [user.storedEmail, user.name, user.passwordHash, user.updatedAt.milliseconds, user.id.lowercased])
                if let keep {
                    try db.execute(
                        sql: "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL",
                        arguments: [user.updatedAt.milliseconds, user.id.lowercased, keep.lowercased])
                }
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.emailTaken
        }
    }

    public func deleteUser(id: UUID) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id.lowercased])
            return db.changesCount > 0
        }
    }

    // MARK: Sessions

    public func insert(session: Session) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [session.id.lowercased, session.userID.lowercased, session.createdAt.milliseconds, session.expiresAt.milliseconds])
        }
    }

    public func session(id: UUID) async throws -> Session? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sessions WHERE id = ?"), arguments: [id.lowercased]).map { row in
                Session(
                    id: UUID(text: row["id"])!, userID: UUID(text: row["user_id"])!,
                    createdAt: Date(milliseconds: row["created_at"]), expiresAt: Date(milliseconds: row["expires_at"]),
                    revokedAt: (row["revoked_at"] as Int64?).map(Date.init(milliseconds:)))
            }
        }
    }

    public func revokeSession(id: UUID, at: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [at.milliseconds, id.lowercased])
        }
    }

    static func user(from row: Row) -> User {
        let issuer: String? = row["external_issuer"]
        let subject: String? = row["external_subject"]
        return User(
            id: UUID(text: row["id"])!, email: row["email"] ?? "", name: row["name"], passwordHash: row["password_hash"],
            externalIdentity: issuer.flatMap { issuer in subject.map { User.ExternalIdentity(issuer: issuer, subject: $0) } },
            createdAt: Date(milliseconds: row["created_at"]), updatedAt: Date(milliseconds: row["updated_at"]))
    }
}

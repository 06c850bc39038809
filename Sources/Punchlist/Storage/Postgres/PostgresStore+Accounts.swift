import Foundation
import PostgresNIO

extension PostgresStore {
    public func insert(user: User) async throws {
        do {
            try await client.allRows(
                """
                INSERT INTO users (id, email, name, password_hash, external_issuer, external_subject, created_at, updated_at)
                VALUES (\(user.id), \(user.storedEmail), \(user.name), \(user.passwordHash), \(user.externalIdentity?.issuer),
                \(user.externalIdentity?.subject), \(user.createdAt), \(user.updatedAt))
                """, logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw StoreError.emailTaken
        }
    }

    public func user(id: UUID) async throws -> User? {
        try firstUser(try await client.allRows("SELECT * FROM users WHERE id = \(id)", logger: logger))
    }

    public func user(email: String) async throws -> User? {
        try firstUser(try await client.allRows("SELECT * FROM users WHERE email = \(email)", logger: logger))
    }

    public func user(external: User.ExternalIdentity) async throws -> User? {
        try firstUser(
            try await client.allRows(
                "SELECT * FROM users WHERE external_issuer = \(external.issuer) AND external_subject = \(external.subject)", logger: logger))
    }

    private func firstUser(_ rows: PostgresQueryResult) throws -> User? {
        for row in rows {
            let columns = row.makeRandomAccess()
            let issuer = try columns["external_issuer"].decode(String?.self)
            let subject = try columns["external_subject"].decode(String?.self)
            return User(
                id: try columns["id"].decode(UUID.self), email: try columns["email"].decode(String?.self) ?? "",
                name: try columns["name"].decode(String.self), passwordHash: try columns["password_hash"].decode(String?.self),
                externalIdentity: issuer.flatMap { issuer in subject.map { User.ExternalIdentity(issuer: issuer, subject: $0) } },
                createdAt: try columns["created_at"].decode(Date.self).roundedToMilliseconds, updatedAt: try columns["updated_at"].decode(Date.self).roundedToMilliseconds)
        }
        return nil
    }

    public func update(user: User, revokingSessionsExcept keep: UUID?) async throws {
        do {
            try await transaction { connection in
                try await connection.allRows(
                    """
                    UPDATE users SET email = \(user.storedEmail), name = \(user.name), password_hash = \(user.passwordHash),
                    updated_at = \(user.updatedAt) WHERE id = \(user.id)
                    """, logger: logger)
                if let keep {
                    try await connection.allRows(
                        """
                        UPDATE sessions SET revoked_at = \(user.updatedAt)
                        WHERE user_id = \(user.id) AND id <> \(keep) AND revoked_at IS NULL
                        """, logger: logger)
                    try await connection.allRows(
                        "SELECT pg_notify(\(LiveSignal.channel), \(LiveSignal.userSessionsEnded(user.id, except: keep).payload))", logger: logger)
                }
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw StoreError.emailTaken
        }
    }

    public func deleteUser(id: UUID) async throws -> Bool {
        let ended = LiveSignal.userSessionsEnded(id, except: nil).payload
        let rows = try await client.allRows(
            "WITH gone AS (DELETE FROM users WHERE id = \(id) RETURNING id) SELECT pg_notify(\(LiveSignal.channel), \(ended)) FROM gone",
            logger: logger)
        return !rows.isEmpty
    }

    public func insert(session: Session) async throws {
        try await client.allRows(
            """
            INSERT INTO sessions (id, user_id, created_at, expires_at)
            VALUES (\(session.id), \(session.userID), \(session.createdAt), \(session.expiresAt))
            """, logger: logger)
    }

    public func session(id: UUID) async throws -> Session? {
        let rows = try await client.allRows(
            "SELECT id, user_id, created_at, expires_at, revoked_at FROM sessions WHERE id = \(id)", logger: logger)
        for row in rows {
            let (id, userID, createdAt, expiresAt, revokedAt) = try row.decode((UUID, UUID, Date, Date, Date?).self)
            return Session(
                id: id, userID: userID, createdAt: createdAt.roundedToMilliseconds, expiresAt: expiresAt.roundedToMilliseconds,
                revokedAt: revokedAt?.roundedToMilliseconds)
        }
        return nil
    }

    public func revokeSession(id: UUID, at: Date) async throws {
        try await client.allRows(
            """
            WITH ended AS (UPDATE sessions SET revoked_at = \(at) WHERE id = \(id) AND revoked_at IS NULL RETURNING id)
            SELECT pg_notify(\(LiveSignal.channel), \(LiveSignal.sessionEnded(id).payload)) FROM ended
            """, logger: logger)
    }
}

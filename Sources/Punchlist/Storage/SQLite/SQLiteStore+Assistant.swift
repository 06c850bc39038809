import Foundation
import GRDB

extension SQLiteStore {
    public func insert(conversation: Conversation) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO conversations (id, user_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    conversation.id.lowercased, conversation.userID.lowercased, conversation.title, conversation.createdAt.milliseconds,
                    conversation.updatedAt.milliseconds,
                ])
        }
    }

    public func conversations(userID: UUID, limit: Int) async throws -> [Conversation] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM conversations WHERE user_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?",
                arguments: [userID.lowercased, limit]
            ).map(Self.conversation(from:))
        }
    }

    public func conversation(id: UUID, userID: UUID) async throws -> Conversation? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM conversations WHERE id = ? AND user_id = ?", arguments: [id.lowercased, userID.lowercased]
            ).map(Self.conversation(from:))
        }
    }

    public func messages(conversationID: UUID, userID: UUID, latest: Int?) async throws -> [ConversationMessage] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT messages.* FROM messages JOIN conversations ON conversations.id = messages.conversation_id
                    WHERE messages.conversation_id = ? AND conversations.user_id = ? ORDER BY position DESC LIMIT ?
                    """,
                arguments: [conversationID.lowercased, userID.lowercased, latest ?? -1]
            ).reversed().map { row in
                let sources: String = row["sources"]
                return ConversationMessage(
                    role: ConversationMessage.Role(rawValue: row["role"]) ?? .assistant, content: row["content"], actionsJSON: row["actions"],
                    sources: ((try? JSONDecoder().decode([UUID].self, from: Data(sources.utf8))) ?? []),
                    createdAt: Date(milliseconds: row["created_at"]))
            }
        }
    }

    public func append(messages: [ConversationMessage], conversationID: UUID, userID: UUID, at: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE conversations SET updated_at = ? WHERE id = ? AND user_id = ?",
                arguments: [at.milliseconds, conversationID.lowercased, userID.lowercased])
            guard db.changesCount > 0 else { return false }
            var position = try Int.fetchOne(
                db, sql: "SELECT coalesce(max(position), 0) FROM messages WHERE conversation_id = ?", arguments: [conversationID.lowercased]) ?? 0
            for message in messages {
                position += 1
                let sources = String(decoding: try JSONEncoder().encode(message.sources.map(\.lowercased)), as: UTF8.self)
                try db.execute(
                    sql: "INSERT INTO messages (conversation_id, position, role, content, actions, sources, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        conversationID.lowercased, position, message.role.rawValue, message.content, message.actionsJSON, sources,
                        message.createdAt.milliseconds,
                    ])
            }
            return true
        }
    }

    public func deleteConversation(id: UUID, userID: UUID) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM conversations WHERE id = ? AND user_id = ?", arguments: [id.lowercased, userID.lowercased])
            return db.changesCount > 0
        }
    }

    public func embeddings(userID: UUID, model: String) async throws -> [TaskEmbedding] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT task_id, version, vector FROM task_embeddings WHERE user_id = ? AND model = ?",
                arguments: [userID.lowercased, model]
            ).map { row in
                let vector: Data = row["vector"]
                return TaskEmbedding(taskID: UUID(text: row["task_id"])!, version: row["version"], vector: [Float](storedBytes: vector))
            }
        }
    }

    public func tasksNeedingEmbeddings(userID: UUID, model: String, limit: Int) async throws -> [TaskItem] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT tasks.* FROM tasks LEFT JOIN task_embeddings AS e ON e.task_id = tasks.id
                    WHERE tasks.user_id = ? AND (e.task_id IS NULL OR e.model <> ? OR e.version <> tasks.version)
                    ORDER BY tasks.updated_at DESC LIMIT ?
                    """,
                arguments: [userID.lowercased, model, limit]
            ).map { Self.task(from: $0, userID: userID) }
        }
    }

    public func save(embeddings: [TaskEmbedding], userID: UUID, model: String) async throws {
        try await pool.write { db in
            for embedding in embeddings {
                try db.execute(
                    sql: """
                        INSERT INTO task_embeddings (task_id, user_id, model, version, vector)
                        SELECT id, user_id, ?, ?, ? FROM tasks WHERE id = ? AND user_id = ?
                        ON CONFLICT (task_id) DO UPDATE SET model = excluded.model, version = excluded.version, vector = excluded.vector
                        """,
                    arguments: [model, embedding.version, Data(embedding.vector.storedBytes), embedding.taskID.lowercased, userID.lowercased])
            }
        }
    }

    static func conversation(from row: Row) -> Conversation {
        Conversation(
            id: UUID(text: row["id"])!, userID: UUID(text: row["user_id"])!, title: row["title"],
            createdAt: Date(milliseconds: row["created_at"]), updatedAt: Date(milliseconds: row["updated_at"]))
    }
}

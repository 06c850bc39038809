import Foundation
import NIOCore
import PostgresNIO

extension PostgresStore {
    public func insert(conversation: Conversation) async throws {
        try await client.allRows(
            """
            INSERT INTO conversations (id, user_id, title, created_at, updated_at)
            VALUES (\(conversation.id), \(conversation.userID), \(conversation.title), \(conversation.createdAt), \(conversation.updatedAt))
            """, logger: logger)
    }

    public func conversations(userID: UUID, limit: Int) async throws -> [Conversation] {
        let rows = try await client.allRows(
            "SELECT * FROM conversations WHERE user_id = \(userID) ORDER BY updated_at DESC, id DESC LIMIT \(limit)", logger: logger)
        var conversations: [Conversation] = []
        for row in rows { conversations.append(try Self.conversation(from: row)) }
        return conversations
    }

    public func conversation(id: UUID, userID: UUID) async throws -> Conversation? {
        let rows = try await client.allRows("SELECT * FROM conversations WHERE id = \(id) AND user_id = \(userID)", logger: logger)
        return try rows.first.map(Self.conversation(from:))
    }

    public func messages(conversationID: UUID, userID: UUID, latest: Int?) async throws -> [ConversationMessage] {
        let rows = try await client.allRows(
            """
            SELECT messages.role, messages.content, messages.actions, messages.sources, messages.created_at
            FROM messages JOIN conversations ON conversations.id = messages.conversation_id
            WHERE messages.conversation_id = \(conversationID) AND conversations.user_id = \(userID)
            ORDER BY position DESC LIMIT \(latest ?? Int(Int32.max))
            """, logger: logger)
        var messages: [ConversationMessage] = []
        for row in rows {
            let (role, content, actions, sources, createdAt) = try row.decode((String, String, String, [UUID], Date).self)
            messages.append(
                ConversationMessage(
                    role: .init(rawValue: role) ?? .assistant, content: content, actionsJSON: actions, sources: sources,
                    createdAt: createdAt.roundedToMilliseconds))
        }
        return messages.reversed()
    }

    public func append(messages: [ConversationMessage], conversationID: UUID, userID: UUID, at: Date) async throws -> Bool {
        try await transaction { connection in
            // The row lock on the conversation orders concurrent appends.
            let updated = try await connection.allRows(
                "UPDATE conversations SET updated_at = \(at) WHERE id = \(conversationID) AND user_id = \(userID) RETURNING id", logger: logger)
            guard !updated.isEmpty else { return false }
            var position = 0
            for row in try await connection.allRows(
                "SELECT coalesce(max(position), 0) FROM messages WHERE conversation_id = \(conversationID)", logger: logger)
            {
                position = Int(try row.decode(Int32.self))
            }
            for message in messages {
                position += 1
                try await connection.allRows(
                    """
                    INSERT INTO messages (conversation_id, position, role, content, actions, sources, created_at)
                    VALUES (\(conversationID), \(Int32(position)), \(message.role.rawValue), \(message.content), \(message.actionsJSON),
                    \(message.sources), \(message.createdAt))
                    """, logger: logger)
            }
            return true
        }
    }

    public func deleteConversation(id: UUID, userID: UUID) async throws -> Bool {
        let rows = try await client.allRows("DELETE FROM conversations WHERE id = \(id) AND user_id = \(userID) RETURNING id", logger: logger)
        return !rows.isEmpty
    }

    public func embeddings(userID: UUID, model: String) async throws -> [TaskEmbedding] {
        let rows = try await client.allRows(
            "SELECT task_id, version, vector FROM task_embeddings WHERE user_id = \(userID) AND model = \(model)", logger: logger)
        var embeddings: [TaskEmbedding] = []
        for row in rows {
            let (taskID, version, vector) = try row.decode((UUID, Int32, ByteBuffer).self)
            embeddings.append(TaskEmbedding(taskID: taskID, version: Int(version), vector: [Float](storedBytes: vector.readableBytesView)))
        }
        return embeddings
    }

    public func tasksNeedingEmbeddings(userID: UUID, model: String, limit: Int) async throws -> [TaskItem] {
        let rows = try await client.allRows(
            """
            SELECT \(unescaped: TaskListSQL.taskColumns) FROM tasks LEFT JOIN task_embeddings AS e ON e.task_id = tasks.id
            WHERE tasks.user_id = \(userID) AND (e.task_id IS NULL OR e.model <> \(model) OR e.version <> tasks.version)
            ORDER BY tasks.updated_at DESC LIMIT \(limit)
            """, logger: logger)
        var tasks: [TaskItem] = []
        for row in rows { tasks.append(try Self.task(from: row, userID: userID)) }
        return tasks
    }

    public func save(embeddings: [TaskEmbedding], userID: UUID, model: String) async throws {
        guard !embeddings.isEmpty else { return }
        try await transaction { connection in
            for embedding in embeddings {
                try await connection.allRows(
                    """
                    INSERT INTO task_embeddings (task_id, user_id, model, version, vector)
                    SELECT id, user_id, \(model), \(Int32(embedding.version)), \(ByteBuffer(bytes: embedding.vector.storedBytes))
                    FROM tasks WHERE id = \(embedding.taskID) AND user_id = \(userID)
                    ON CONFLICT (task_id) DO UPDATE SET model = excluded.model, version = excluded.version, vector = excluded.vector
                    """, logger: logger)
            }
        }
    }

    static func conversation(from row: PostgresRow) throws -> Conversation {
        let (id, userID, title, createdAt, updatedAt) = try row.decode((UUID, UUID, String, Date, Date).self)
        return Conversation(
            id: id, userID: userID, title: title, createdAt: createdAt.roundedToMilliseconds, updatedAt: updatedAt.roundedToMilliseconds)
    }
}

import Foundation
import GRDB

extension SQLiteStore {
    public func insert(tasks: [TaskItem], userID: UUID) async throws -> [TaskEvent] {
        try await pool.write { db in
            try tasks.map { task in
                try Self.insert(task, db: db)
                return try Self.appendEvent(.created, task: task, db: db)
            }
        }
    }

    public func insert(task: TaskItem, userID: UUID, key: IdempotencyKey, now: Date) async throws -> KeyedCreation {
        try await pool.write { db in
            let user = userID.lowercased
            // A key older than its day is taken over, as if new.
            if let earlier = try Row.fetchOne(
                db, sql: "SELECT fingerprint, task_id, response FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at >= ?",
                arguments: [user, key.value, (now - IdempotencyKey.rememberedFor).milliseconds])
            {
                guard let taskID = UUID(text: earlier["task_id"]) else { throw StoreError.unavailable }
                return .earlier(fingerprint: earlier["fingerprint"], taskID: taskID, response: earlier["response"])
            }
            try Self.insert(task, db: db)
            let event = try Self.appendEvent(.created, task: task, db: db)
            try db.execute(
                sql: "INSERT OR REPLACE INTO idempotency_keys (user_id, key, fingerprint, task_id, response, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [user, key.value, key.fingerprint, task.id.lowercased, String(decoding: task.json, as: UTF8.self), now.milliseconds])
            return .created([event])
        }
    }

    public func pruneIdempotencyKeys(olderThan date: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [date.milliseconds])
            return db.changesCount
        }
    }

    public func task(id: UUID, userID: UUID) async throws -> TaskItem? {
        try await read { db in
            try SQLiteTaskColumns.fetch(
                db, sql: "SELECT * FROM tasks WHERE id = ? AND user_id = ?", arguments: [id.lowercased, userID.lowercased], userID: userID
            ).first?.task
        }
    }

    public func modifyTask(id: UUID, userID: UUID, _ change: @Sendable (TaskItem) throws -> TaskChange) async throws -> (TaskChange, [TaskEvent])? {
        try await pool.write { db in
            guard
                let current = try SQLiteTaskColumns.fetch(
                    db, sql: "SELECT * FROM tasks WHERE id = ? AND user_id = ?", arguments: [id.lowercased, userID.lowercased], userID: userID
                ).first?.task
            else { return nil }
            let outcome = try change(current)
            switch outcome {
            case .unchanged:
                return (outcome, [])
            case .delete:
                try db.execute(sql: "DELETE FROM tasks WHERE id = ?", arguments: [id.lowercased])
                return (outcome, [try Self.appendEvent(.deleted, task: current, db: db)])
            case .update(let task, let follower):
                try db.cachedStatement(
                    sql: """
                        UPDATE tasks SET title = ?, title_key = ?, description = ?, completed = ?, priority = ?, tags = ?, due_at = ?,
                        recurrence = ?, anchor_day = ?, updated_at = ?, completed_at = ?, version = ? WHERE id = ?
                        """
                ).execute(
                    arguments: [
                        task.title, task.title.lowercased(), task.description, task.completed, task.priority.rank, Self.tagsJSON(task.tags),
                        task.dueAt?.milliseconds, task.recurrence?.rawValue, task.anchorDay, task.updatedAt.milliseconds,
                        task.completedAt?.milliseconds, task.version, id.lowercased,
                    ])
                if task.tags != current.tags {
                    try db.execute(sql: "DELETE FROM task_tags WHERE task_id = ?", arguments: [id.lowercased])
                    try Self.insertTags(of: task, db: db)
                }
                var events = [try Self.appendEvent(.updated, task: task, db: db)]
                if let follower {
                    try Self.insert(follower, db: db)
                    events.append(try Self.appendEvent(.created, task: follower, db: db))
                }
                return (outcome, events)
            }
        }
    }

    public func tasks(userID: UUID, matching query: TaskQuery) async throws -> TaskPage {
        try await read { db in
            try TaskListSQL(query: query, userID: userID, dialect: .sqlite).fetch(db)
        }
    }

    public func events(userID: UUID, after id: Int64, limit: Int) async throws -> [TaskEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM events WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [userID.lowercased, id, limit]
            ).map { row in
                TaskEvent(
                    id: row["id"], userID: userID, kind: TaskEvent.Kind(rawValue: row["type"])!, taskID: UUID(text: row["task_id"])!,
                    taskJSON: row["task"], at: Date(milliseconds: row["at"]))
            }
        }
    }

    public func eventBounds(userID: UUID) async throws -> (oldest: Int64?, latest: Int64) {
        try await pool.read { db in
            let oldest = try Int64.fetchOne(db, sql: "SELECT min(id) FROM events WHERE user_id = ?", arguments: [userID.lowercased])
            let latest = try Int64.fetchOne(db, sql: "SELECT last_event_id FROM users WHERE id = ?", arguments: [userID.lowercased]) ?? 0
            return (oldest, latest)
        }
    }

    public func pruneEvents(olderThan date: Date, keepingLatest keep: Int) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM events WHERE at < ?
                    AND id <= (SELECT last_event_id FROM users WHERE users.id = events.user_id) - ?
                    """, arguments: [date.milliseconds, keep])
            return db.changesCount
        }
    }

    // MARK: Rows

    static func insert(_ task: TaskItem, db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO tasks (id, user_id, title, title_key, description, completed, priority, tags, due_at, recurrence, anchor_day,
                created_at, updated_at, completed_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                task.id.lowercased, task.userID.lowercased, task.title, task.title.lowercased(), task.description, task.completed,
                task.priority.rank, tagsJSON(task.tags), task.dueAt?.milliseconds, task.recurrence?.rawValue, task.anchorDay,
                task.createdAt.milliseconds,
                task.updatedAt.milliseconds, task.completedAt?.milliseconds, task.version,
            ])
        try insertTags(of: task, db: db)
    }

    static func insertTags(of task: TaskItem, db: Database) throws {
        for tag in task.tags {
            try db.cachedStatement(sql: "INSERT INTO task_tags (user_id, tag, task_id) VALUES (?, ?, ?)")
                .execute(arguments: [task.userID.lowercased, tag, task.id.lowercased])
        }
    }

    /// Numbers the event from the user's counter and writes it to the outbox.
    static func appendEvent(_ kind: TaskEvent.Kind, task: TaskItem, db: Database) throws -> TaskEvent {
        guard
            let id = try Int64.fetchOne(
                db.cachedStatement(sql: "UPDATE users SET last_event_id = last_event_id + 1 WHERE id = ? RETURNING last_event_id"),
                arguments: [task.userID.lowercased])
        else { throw StoreError.unavailable }
        let event = TaskEvent(id: id, kind: kind, task: task, at: Date().roundedToMilliseconds)
        try db.cachedStatement(sql: "INSERT INTO events (user_id, id, type, task_id, task, at) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [task.userID.lowercased, id, kind.rawValue, task.id.lowercased, event.taskJSON, event.at.milliseconds])
        return event
    }

    static func tagsJSON(_ tags: [String]) -> String {
        var writer = JSONWriter(capacity: 64)
        writer.beginArray()
        for tag in tags { writer.string(tag) }
        writer.endArray()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func task(from row: Row, userID: UUID) -> TaskItem {
        SQLiteTaskColumns(Array(row.columnNames)).task(from: row, userID: userID)
    }
}

extension TaskListSQL.Bind {
    var sqliteValue: any DatabaseValueConvertible {
        switch self {
        case .text(let text): text
        case .integer(let number): number
        case .date(let date): date.milliseconds
        case .score(let score): score
        case .texts(let texts): SQLiteStore.tagsJSON(texts)
        case .uuid(let id): id.lowercased
        }
    }
}

extension TaskListSQL {
    /// Runs the statements until the page is full.
    func fetch(_ db: Database) throws -> TaskPage {
        var rows: [(task: TaskItem, score: Double)] = []
        for statement in statements where rows.count <= query.limit {
            let values: [(any DatabaseValueConvertible)?] = statement.binds.map(\.sqliteValue) + [query.limit + 1 - rows.count]
            let arguments = StatementArguments(values)
            rows += try SQLiteTaskColumns.fetch(db, sql: statement.sql, arguments: arguments, userID: userID)
        }
        return TaskPage(rows: rows, query: query)
    }
}

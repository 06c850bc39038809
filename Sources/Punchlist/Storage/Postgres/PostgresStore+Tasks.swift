import Foundation
import PostgresNIO

extension PostgresStore {
    public func insert(tasks: [TaskItem], userID: UUID) async throws -> [TaskEvent] {
        try await transaction { connection in
            var events: [TaskEvent] = []
            // Imports bring thousands of tasks: a few statements per thousand rows, not three per task.
            for start in stride(from: 0, to: tasks.count, by: 1000) {
                events += try await insertBatch(Array(tasks[start..<min(start + 1000, tasks.count)]), userID: userID, on: connection)
            }
            try await notify(events, on: connection)
            return events
        }
    }

    /// Inserts tasks and their `task.created` events with one statement each, numbering the events
    /// from one bump of the user's counter. Arrays cannot carry NULLs here, so empty text (or day 0) stands for NULL.
    private func insertBatch(_ tasks: [TaskItem], userID: UUID, on connection: PostgresConnection) async throws -> [TaskEvent] {
        var last: Int64?
        let rows = try await connection.query(
            "UPDATE users SET last_event_id = last_event_id + \(tasks.count) WHERE id = \(userID) RETURNING last_event_id", logger: logger)
        for try await value in rows.decode(Int64.self) { last = value }
        guard let last else { throw StoreError.unavailable }
        let at = Date().roundedToMilliseconds
        let events = tasks.enumerated().map { index, task in
            TaskEvent(id: last - Int64(tasks.count - 1 - index), kind: .created, task: task, at: at)
        }
        try await connection.query(
            """
            INSERT INTO tasks (id, user_id, title, title_key, description, completed, priority, tags, due_at, recurrence, anchor_day,
            created_at, updated_at, completed_at, version, search)
            SELECT t.id, \(userID), t.title, t.title_key, t.description, t.completed, t.priority,
                ARRAY(SELECT jsonb_array_elements_text(t.tags::jsonb)), NULLIF(t.due_at, '')::timestamptz, NULLIF(t.recurrence, ''),
                NULLIF(t.anchor_day, 0), t.created_at, t.updated_at, NULLIF(t.completed_at, '')::timestamptz, t.version,
                setweight(to_tsvector('simple', t.title), 'A')
                || setweight(to_tsvector('simple', array_to_string(ARRAY(SELECT jsonb_array_elements_text(t.tags::jsonb)), ' ')), 'B')
                || setweight(to_tsvector('simple', t.description), 'C')
            FROM unnest(\(tasks.map(\.id))::uuid[], \(tasks.map(\.title))::text[], \(tasks.map { $0.title.lowercased() })::text[],
                \(tasks.map(\.description))::text[], \(tasks.map(\.completed))::bool[], \(tasks.map { Int16($0.priority.rank) })::int2[],
                \(tasks.map { SQLiteStore.tagsJSON($0.tags) })::text[], \(tasks.map { $0.dueAt.map(Timestamp.format) ?? "" })::text[],
                \(tasks.map { $0.recurrence?.rawValue ?? "" })::text[], \(tasks.map { Int16($0.anchorDay ?? 0) })::int2[],
                \(tasks.map(\.createdAt))::timestamptz[], \(tasks.map(\.updatedAt))::timestamptz[],
                \(tasks.map { $0.completedAt.map(Timestamp.format) ?? "" })::text[], \(tasks.map { Int32($0.version) })::int4[])
                AS t(id, title, title_key, description, completed, priority, tags, due_at, recurrence, anchor_day, created_at, updated_at,
                     completed_at, version)
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO events (user_id, id, type, task_id, task, at)
            SELECT \(userID), e.id, 'task.created', e.task_id, e.task, \(at)
            FROM unnest(\(events.map(\.id))::int8[], \(events.map(\.taskID))::uuid[], \(events.map { $0.taskJSON ?? "" })::text[]) AS e(id, task_id, task)
            """, logger: logger)
        return events
    }

    public func task(id: UUID, userID: UUID) async throws -> TaskItem? {
        let rows = try await client.query("SELECT * FROM tasks WHERE id = \(id) AND user_id = \(userID)", logger: logger)
        for try await row in rows { return try Self.task(from: row) }
        return nil
    }

    public func modifyTask(id: UUID, userID: UUID, _ change: @Sendable (TaskItem) throws -> TaskChange) async throws -> (TaskChange, [TaskEvent])? {
        try await transaction { connection in
            var current: TaskItem?
            let rows = try await connection.query(
                "SELECT * FROM tasks WHERE id = \(id) AND user_id = \(userID) FOR UPDATE", logger: logger)
            for try await row in rows { current = try Self.task(from: row) }
            guard let current else { return nil }
            let outcome = try change(current)
            switch outcome {
            case .unchanged:
                return (outcome, [])
            case .delete:
                try await connection.query("DELETE FROM tasks WHERE id = \(id)", logger: logger)
                let events = [try await appendEvent(.deleted, task: current, on: connection)]
                try await notify(events, on: connection)
                return (outcome, events)
            case .update(let task, let follower):
                try await connection.query(
                    """
                    UPDATE tasks SET title = \(task.title), title_key = \(task.title.lowercased()), description = \(task.description),
                    completed = \(task.completed), priority = \(Int16(task.priority.rank)), tags = \(task.tags), due_at = \(task.dueAt),
                    recurrence = \(task.recurrence?.rawValue), anchor_day = \(task.anchorDay.map(Int16.init)), updated_at = \(task.updatedAt), completed_at = \(task.completedAt),
                    version = \(task.version), search = \(unescaped: Self.searchVector(for: task, firstBind: 1))
                    WHERE id = \(id)
                    """ as PostgresQuery, logger: logger)
                var events = [try await appendEvent(.updated, task: task, on: connection)]
                if let follower {
                    try await insert(follower, on: connection)
                    events.append(try await appendEvent(.created, task: follower, on: connection))
                }
                try await notify(events, on: connection)
                return (outcome, events)
            }
        }
    }

    public func tasks(userID: UUID, matching query: TaskQuery) async throws -> TaskPage {
        try await TaskListSQL(query: query, userID: userID, dialect: .postgres).fetch(client, logger: logger)
    }

    public func events(userID: UUID, after id: Int64, limit: Int) async throws -> [TaskEvent] {
        let rows = try await client.query(
            "SELECT id, type, task_id, task, at FROM events WHERE user_id = \(userID) AND id > \(id) ORDER BY id LIMIT \(limit)",
            logger: logger)
        var events: [TaskEvent] = []
        for try await (id, type, taskID, task, at) in rows.decode((Int64, String, UUID, String?, Date).self) {
            events.append(TaskEvent(id: id, userID: userID, kind: TaskEvent.Kind(rawValue: type)!, taskID: taskID, taskJSON: task, at: at.roundedToMilliseconds))
        }
        return events
    }

    public func eventBounds(userID: UUID) async throws -> (oldest: Int64?, latest: Int64) {
        let rows = try await client.query(
            "SELECT (SELECT min(id) FROM events WHERE user_id = \(userID)), (SELECT last_event_id FROM users WHERE id = \(userID))",
            logger: logger)
        for try await (oldest, latest) in rows.decode((Int64?, Int64?).self) { return (oldest, latest ?? 0) }
        return (nil, 0)
    }

    public func pruneEvents(olderThan date: Date, keepingLatest keep: Int) async throws -> Int {
        let rows = try await client.query(
            """
            WITH gone AS (
                DELETE FROM events USING users WHERE events.user_id = users.id AND events.at < \(date)
                AND events.id <= users.last_event_id - \(keep) RETURNING 1
            ) SELECT count(*) FROM gone
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Tells every replica's listener that the user has events up to the last of these; delivered on commit.
    func notify(_ events: [TaskEvent], on connection: PostgresConnection) async throws {
        guard let last = events.last else { return }
        let message = LiveSignal.events(userID: last.userID, latest: last.id).payload
        try await connection.query("SELECT pg_notify(\(LiveSignal.channel), \(message))", logger: logger)
    }

    // MARK: Rows

    private func insert(_ task: TaskItem, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO tasks (id, user_id, title, title_key, description, completed, priority, tags, due_at, recurrence, anchor_day,
            created_at, updated_at, completed_at, version, search)
            VALUES (\(task.id), \(task.userID), \(task.title), \(task.title.lowercased()), \(task.description), \(task.completed),
            \(Int16(task.priority.rank)), \(task.tags), \(task.dueAt), \(task.recurrence?.rawValue), \(task.anchorDay.map(Int16.init)),
            \(task.createdAt), \(task.updatedAt),
            \(task.completedAt), \(task.version), \(unescaped: Self.searchVector(for: task, firstBind: 3)))
            """ as PostgresQuery, logger: logger)
    }

    /// The weighted search document, built from the statement's own title, tags and description binds.
    /// Title weighs most, then tags, then description. `firstBind` is the title's bind number.
    private static func searchVector(for task: TaskItem, firstBind title: Int) -> String {
        "setweight(to_tsvector('simple', $\(title)), 'A') || setweight(to_tsvector('simple', array_to_string($\(title + 5)::text[], ' ')), 'B')"
            + " || setweight(to_tsvector('simple', $\(title + 2)), 'C')"
    }

    /// Numbers the event from the user's counter and writes it to the outbox.
    private func appendEvent(_ kind: TaskEvent.Kind, task: TaskItem, on connection: PostgresConnection) async throws -> TaskEvent {
        var id: Int64?
        let rows = try await connection.query(
            "UPDATE users SET last_event_id = last_event_id + 1 WHERE id = \(task.userID) RETURNING last_event_id", logger: logger)
        for try await value in rows.decode(Int64.self) { id = value }
        guard let id else { throw StoreError.unavailable }
        let event = TaskEvent(id: id, kind: kind, task: task, at: Date().roundedToMilliseconds)
        try await connection.query(
            """
            INSERT INTO events (user_id, id, type, task_id, task, at)
            VALUES (\(task.userID), \(id), \(kind.rawValue), \(task.id), \(event.taskJSON), \(event.at))
            """, logger: logger)
        return event
    }

    static func task(from row: PostgresRow) throws -> TaskItem {
        let columns = row.makeRandomAccess()
        return TaskItem(
            id: try columns["id"].decode(UUID.self), userID: try columns["user_id"].decode(UUID.self),
            title: try columns["title"].decode(String.self), description: try columns["description"].decode(String.self),
            completed: try columns["completed"].decode(Bool.self),
            priority: TaskItem.Priority(rank: Int(try columns["priority"].decode(Int16.self))) ?? .none,
            tags: try columns["tags"].decode([String].self), dueAt: try columns["due_at"].decode(Date?.self)?.roundedToMilliseconds,
            recurrence: try columns["recurrence"].decode(String?.self).flatMap(TaskItem.Recurrence.init(rawValue:)),
            anchorDay: try columns["anchor_day"].decode(Int16?.self).map(Int.init),
            createdAt: try columns["created_at"].decode(Date.self).roundedToMilliseconds, updatedAt: try columns["updated_at"].decode(Date.self).roundedToMilliseconds,
            completedAt: try columns["completed_at"].decode(Date?.self)?.roundedToMilliseconds, version: Int(try columns["version"].decode(Int32.self)))
    }
}

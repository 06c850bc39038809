import Foundation
import PostgresNIO

extension PostgresStore {
    public func insert(tasks: [TaskItem], userID: UUID) async throws -> [TaskEvent] {
        guard !tasks.isEmpty else { return [] }
        // Imports bring thousands of tasks: one statement per thousand, in one transaction when there are more.
        let batches = stride(from: 0, to: tasks.count, by: 1000).map { Array(tasks[$0..<min($0 + 1000, tasks.count)]) }
        // No row back: the user is gone (deleted in between).
        guard batches.count > 1 else {
            guard let events = try await Self.creation(of: tasks, userID: userID).runIfHappened(on: client, prepared: prepared, logger: logger) else {
                throw StoreError.unavailable
            }
            return events
        }
        return try await transaction { connection in
            var events: [TaskEvent] = []
            for batch in batches {
                guard let made = try await Self.creation(of: batch, userID: userID).runIfHappened(on: connection, logger: logger) else {
                    throw StoreError.unavailable
                }
                events += made
            }
            return events
        }
    }

    /// One statement, like every other task write (no transaction whose locks a lost connection
    /// could leave behind): claim the key, and only if that claimed it, create the task.
    public func insert(task: TaskItem, userID: UUID, key: IdempotencyKey, now: Date) async throws -> KeyedCreation {
        if let events = try await Self.keyedCreation(of: task, key: key, now: now).runIfHappened(on: client, prepared: prepared, logger: logger) {
            return .created(events)
        }
        // Claimed by an earlier create (which this one waited for, if it was still being written).
        let earlier = try await client.allRows(
            "SELECT fingerprint, task_id, response FROM idempotency_keys WHERE user_id = \(userID) AND key = \(key.value)", logger: logger)
        // None: the user is gone (deleted in between).
        guard let row = earlier.rows.first else { throw StoreError.unavailable }
        let (fingerprint, taskID, answer) = try row.decode((String, UUID, String).self)
        return .earlier(fingerprint: fingerprint, taskID: taskID, response: answer)
    }

    /// ``creation(of:userID:)`` of one task, made only if it claims `key`: a new key, or one older
    /// than ``IdempotencyKey/rememberedFor``, which it takes over. A key another create is still
    /// writing makes this wait for that create's commit, and then claim nothing.
    static func keyedCreation(of task: TaskItem, key: IdempotencyKey, now: Date) -> TaskWrite {
        var write = TaskWrite(userID: task.userID, events: [(.created, task)])
        let user = write.bind(task.userID)
        let claim = """
            claim AS (
                INSERT INTO idempotency_keys (user_id, key, fingerprint, task_id, response, created_at)
                SELECT id, \(write.bind(key.value))::text, \(write.bind(key.fingerprint))::text, \(write.bind(task.id))::uuid,
                    \(write.bind(String(decoding: task.json, as: UTF8.self)))::text, \(write.bind(now))::timestamptz
                FROM users WHERE id = \(user)::uuid
                ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, task_id = excluded.task_id,
                    response = excluded.response, created_at = excluded.created_at
                WHERE idempotency_keys.created_at < \(write.bind(now - IdempotencyKey.rememberedFor))::timestamptz
                RETURNING 1
            )
            """
        let claimed = "EXISTS (SELECT 1 FROM claim)"
        write.changes.append(claim)
        appendInsert(of: [task], to: &write, onlyIf: claimed)
        write.happened = claimed
        write.shape = KeyedTaskCreation.self
        return write
    }

    /// Inserts tasks with one `INSERT` over arrays, whatever their number. Arrays cannot carry
    /// NULLs here, so empty text (or day 0) stands for NULL.
    static func creation(of tasks: [TaskItem], userID: UUID) -> TaskWrite {
        var write = TaskWrite(userID: userID, events: tasks.map { (.created, $0) })
        write.shape = TaskCreation.self
        appendInsert(of: tasks, to: &write)
        return write
    }

    /// The `created` part of a write that inserts `tasks`, all or, when `condition` (SQL) is false, none.
    private static func appendInsert(of tasks: [TaskItem], to write: inout TaskWrite, onlyIf condition: String? = nil) {
        let user = write.bind(write.userID)
        let tags = write.bind(tasks.map { SQLiteStore.tagsJSON($0.tags) })
        let sql = """
            created AS (
                INSERT INTO tasks (\(Self.insertedColumns))
                SELECT t.id, \(user)::uuid, t.title, t.title_key, t.description, t.completed, t.priority,
                    ARRAY(SELECT jsonb_array_elements_text(t.tags::jsonb)), NULLIF(t.due_at, '')::timestamptz, NULLIF(t.recurrence, ''),
                    NULLIF(t.anchor_day, 0), t.created_at, t.updated_at, NULLIF(t.completed_at, '')::timestamptz, t.version,
                    \(PostgresSearch.document(title: "t.search_title", tags: "t.search_tags", description: "t.search_description"))
                FROM unnest(\(write.bind(tasks.map(\.id)))::uuid[], \(write.bind(tasks.map(\.title)))::text[],
                    \(write.bind(tasks.map { $0.title.lowercased() }))::text[], \(write.bind(tasks.map(\.description)))::text[],
                    \(write.bind(tasks.map(\.completed)))::bool[], \(write.bind(tasks.map { Int16($0.priority.rank) }))::int2[], \(tags)::text[],
                    \(write.bind(tasks.map { $0.dueAt.map(Timestamp.format) ?? "" }))::text[],
                    \(write.bind(tasks.map { $0.recurrence?.rawValue ?? "" }))::text[], \(write.bind(tasks.map { Int16($0.anchorDay ?? 0) }))::int2[],
                    \(write.bind(tasks.map(\.createdAt)))::timestamptz[], \(write.bind(tasks.map(\.updatedAt)))::timestamptz[],
                    \(write.bind(tasks.map { $0.completedAt.map(Timestamp.format) ?? "" }))::text[], \(write.bind(tasks.map { Int32($0.version) }))::int4[],
                    \(write.bind(tasks.map { PostgresSearch.folded($0.title) }))::text[], \(write.bind(tasks.map { PostgresSearch.foldedTags($0.tags) }))::text[],
                    \(write.bind(tasks.map { PostgresSearch.folded($0.description) }))::text[])
                    AS t(id, title, title_key, description, completed, priority, tags, due_at, recurrence, anchor_day, created_at, updated_at,
                         completed_at, version, search_title, search_tags, search_description)
                \(condition.map { "WHERE \($0)" } ?? "")
            )
            """
        write.changes.append(sql)
    }

    public func pruneIdempotencyKeys(olderThan date: Date) async throws -> Int {
        let rows = try await client.allRows("DELETE FROM idempotency_keys WHERE created_at < \(date) RETURNING 1", logger: logger)
        return rows.rows.count
    }

    public func task(id: UUID, userID: UUID) async throws -> TaskItem? {
        let rows = try await prepared.rows(TaskByID.self, [PostgresData(uuid: id), PostgresData(uuid: userID)], on: client)
        return try rows.first.map { try Self.task(from: $0, userID: userID, binaryResults: true) }
    }

    /// Reads the task, decides, and writes the change only if the task is still at the version read
    /// (`WHERE version = …`, which PostgreSQL checks again after waiting for a concurrent writer);
    /// if it moved on, reads it again and decides anew. Two round trips, no lock held while deciding.
    public func modifyTask(id: UUID, userID: UUID, _ change: @Sendable (TaskItem) throws -> TaskChange) async throws -> (TaskChange, [TaskEvent])? {
        for _ in 0..<Self.writeAttempts {
            guard let current = try await task(id: id, userID: userID) else { return nil }
            let outcome = try change(current)
            let write: TaskWrite
            switch outcome {
            case .unchanged:
                return (outcome, [])
            case .delete:
                write = Self.deletion(of: current)
            case .update(let task, let follower):
                write = Self.update(from: current, to: task, follower: follower)
            }
            if let events = try await write.runIfHappened(on: client, prepared: prepared, logger: logger) { return (outcome, events) }
        }
        // Others kept changing this task faster than it could be read.
        throw StoreError.unavailable
    }

    /// The columns a new task fills, in the order both inserts give them.
    private static let insertedColumns =
        "id, user_id, title, title_key, description, completed, priority, tags, due_at, recurrence, anchor_day, "
        + "created_at, updated_at, completed_at, version, search"

    /// How often a change is decided anew before giving up on a task others keep changing.
    private static let writeAttempts = 20

    static func deletion(of task: TaskItem) -> TaskWrite {
        var write = TaskWrite(userID: task.userID, events: [(.deleted, task)])
        write.shape = TaskDeletion.self
        let sql = """
            changed AS (
                DELETE FROM tasks WHERE id = \(write.bind(task.id)) AND user_id = \(write.bind(task.userID))
                AND version = \(write.bind(Int32(task.version))) RETURNING id
            )
            """
        write.changes.append(sql)
        write.happened = "EXISTS (SELECT 1 FROM changed)"
        return write
    }

    static func update(from current: TaskItem, to task: TaskItem, follower: TaskItem?) -> TaskWrite {
        var write = TaskWrite(userID: task.userID, events: [(.updated, task)] + (follower.map { [(.created, $0)] } ?? []))
        write.shape = follower == nil ? TaskUpdate.self : TaskUpdateWithFollower.self
        let title = write.bind(task.title), description = write.bind(task.description), tags = write.bind(task.tags)
        let changed = """
            changed AS (
                UPDATE tasks SET title = \(title), title_key = \(write.bind(task.title.lowercased())), description = \(description),
                completed = \(write.bind(task.completed)), priority = \(write.bind(Int16(task.priority.rank))), tags = \(tags),
                due_at = \(write.bind(task.dueAt))::timestamptz, recurrence = \(write.bind(task.recurrence?.rawValue))::text,
                anchor_day = \(write.bind(task.anchorDay.map(Int16.init)))::int2, updated_at = \(write.bind(task.updatedAt)),
                completed_at = \(write.bind(task.completedAt))::timestamptz, version = \(write.bind(Int32(task.version))),
                search = \(Self.searchDocument(of: task, in: &write))
                WHERE id = \(write.bind(task.id)) AND user_id = \(write.bind(task.userID)) AND version = \(write.bind(Int32(current.version)))
                RETURNING id
            )
            """
        write.changes.append(changed)
        write.happened = "EXISTS (SELECT 1 FROM changed)"
        if let follower {
            let title = write.bind(follower.title), description = write.bind(follower.description), tags = write.bind(follower.tags)
            let next = """
                follower AS (
                    INSERT INTO tasks (\(Self.insertedColumns))
                    SELECT \(write.bind(follower.id))::uuid, \(write.bind(follower.userID))::uuid, \(title)::text,
                    \(write.bind(follower.title.lowercased()))::text, \(description)::text, \(write.bind(follower.completed))::bool,
                    \(write.bind(Int16(follower.priority.rank)))::int2, \(tags)::text[], \(write.bind(follower.dueAt))::timestamptz,
                    \(write.bind(follower.recurrence?.rawValue))::text, \(write.bind(follower.anchorDay.map(Int16.init)))::int2,
                    \(write.bind(follower.createdAt))::timestamptz, \(write.bind(follower.updatedAt))::timestamptz,
                    \(write.bind(follower.completedAt))::timestamptz, \(write.bind(Int32(follower.version)))::int4,
                    \(Self.searchDocument(of: follower, in: &write))
                    WHERE EXISTS (SELECT 1 FROM changed)
                )
                """
            write.changes.append(next)
        }
        return write
    }

    /// The weighted search document of a task, from its folded text bound to `write` (``PostgresSearch``).
    private static func searchDocument(of task: TaskItem, in write: inout TaskWrite) -> String {
        PostgresSearch.document(
            title: write.bind(PostgresSearch.folded(task.title)), tags: write.bind(PostgresSearch.foldedTags(task.tags)),
            description: write.bind(PostgresSearch.folded(task.description)))
    }

    public func tasks(userID: UUID, matching query: TaskQuery) async throws -> TaskPage {
        try await TaskListSQL(query: query, userID: userID, dialect: .postgres).fetch(client, prepared: prepared, logger: logger)
    }

    public func events(userID: UUID, after id: Int64, limit: Int) async throws -> [TaskEvent] {
        let rows = try await client.allRows(
            "SELECT id, type, task_id, task, at FROM events WHERE user_id = \(userID) AND id > \(id) ORDER BY id LIMIT \(limit)",
            logger: logger)
        var events: [TaskEvent] = []
        for row in rows {
            let (id, type, taskID, task, at) = try row.decode((Int64, String, UUID, String?, Date).self)
            events.append(TaskEvent(id: id, userID: userID, kind: TaskEvent.Kind(rawValue: type)!, taskID: taskID, taskJSON: task, at: at.roundedToMilliseconds))
        }
        return events
    }

    public func eventBounds(userID: UUID) async throws -> (oldest: Int64?, latest: Int64) {
        let rows = try await client.allRows(
            "SELECT (SELECT min(id) FROM events WHERE user_id = \(userID)), (SELECT last_event_id FROM users WHERE id = \(userID))",
            logger: logger)
        guard let row = rows.first else { return (nil, 0) }
        let (oldest, latest) = try row.decode((Int64?, Int64?).self)
        return (oldest, latest ?? 0)
    }

    public func pruneEvents(olderThan date: Date, keepingLatest keep: Int) async throws -> Int {
        let rows = try await client.allRows(
            """
            WITH gone AS (
                DELETE FROM events USING users WHERE events.user_id = users.id AND events.at < \(date)
                AND events.id <= users.last_event_id - \(keep) RETURNING 1
            ) SELECT count(*) FROM gone
            """, logger: logger)
        return try rows.first.map { Int(try $0.decode(Int64.self)) } ?? 0
    }

    // MARK: Rows

    /// A task of `userID` from a row that selects ``TaskListSQL/taskColumns``, in that order (more
    /// columns may follow). `binaryResults`: see ``TaskCells``.
    static func task(from row: PostgresRow, userID: UUID, binaryResults: Bool = false) throws -> TaskItem {
        var cells = TaskCells(row.makeIterator(), binaryResults: binaryResults)
        return try cells.task(userID: userID)
    }
}

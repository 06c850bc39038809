import Foundation

/// The task rules of API.md section 4, free of HTTP: the REST routes, imports, and later the
/// live stream and the assistant all change tasks through here, so they all write the same events.
struct TaskService: Sendable {
    let store: any Store
    /// Receives every event once its transaction has committed (the live fan-out).
    var published: @Sendable ([TaskEvent]) async -> Void = { _ in }

    /// Builds a new task for `userID` from a validated input.
    static func newTask(_ input: TaskInput, userID: UUID, now: Date) -> TaskItem {
        let completed = input.completed ?? false
        let dueAt = input.dueAt.newValue?.roundedToMilliseconds
        let recurrence = input.recurrence.newValue
        let createdAt = min(input.createdAt ?? now, now)
        return TaskItem(
            id: .v7(at: now), userID: userID, title: input.title ?? "", description: input.description ?? "", completed: completed,
            priority: input.priority ?? .none, tags: input.tags ?? [], dueAt: dueAt, recurrence: recurrence,
            anchorDay: TaskItem.anchorDay(for: dueAt, recurrence: recurrence), createdAt: createdAt, updatedAt: now,
            completedAt: completed ? (input.completedAt ?? now) : nil, version: 1)
    }

    func create(_ input: TaskInput, userID: UUID) async throws -> TaskItem {
        let task = Self.newTask(input, userID: userID, now: Date().roundedToMilliseconds)
        await published(try await store.insert(tasks: [task], userID: userID))
        return task
    }

    /// A create sent with an idempotency key: the task made now, or the answer of the create that
    /// first sent the key (its task's id and JSON as they were then).
    enum KeyedOutcome: Sendable {
        case created(TaskItem)
        case replayed(taskID: UUID, json: String)
    }

    /// Creates the task unless `key` was sent before: then repeats that create's answer, or refuses
    /// (422) if it came with another body.
    func create(_ input: TaskInput, userID: UUID, key: IdempotencyKey) async throws -> KeyedOutcome {
        let now = Date().roundedToMilliseconds
        let task = Self.newTask(input, userID: userID, now: now)
        switch try await store.insert(task: task, userID: userID, key: key, now: now) {
        case .created(let events):
            await published(events)
            return .created(task)
        case .earlier(let fingerprint, let taskID, let json):
            guard fingerprint == key.fingerprint else {
                throw Problem(
                    .unprocessableContent, code: "idempotency_key_reused",
                    detail: "This Idempotency-Key was sent with another body in the last 24 hours; use a new key for a new task.")
            }
            return .replayed(taskID: taskID, json: json)
        }
    }

    func task(id: UUID, userID: UUID) async throws -> TaskItem {
        guard let task = try await store.task(id: id, userID: userID) else { throw Problem.notFound("No such task.") }
        return task
    }

    /// Applies a partial update. With `expectedVersion`, a task changed in between is a 412.
    /// Completing a recurring task with a due date creates its next occurrence in the same transaction.
    func update(id: UUID, userID: UUID, with input: TaskInput, expectedVersion: Int?) async throws -> TaskItem {
        let now = Date().roundedToMilliseconds
        guard
            let (change, events) = try await store.modifyTask(id: id, userID: userID, { current in
                try Self.checkVersion(current, expected: expectedVersion)
                let updated = Self.apply(input, to: current, now: now)
                guard updated != current else { return .unchanged(current) }
                return .update(updated, follower: Self.nextOccurrence(before: current, after: updated, now: now))
            })
        else { throw Problem.notFound("No such task.") }
        await published(events)
        switch change {
        case .unchanged(let task), .update(let task, _): return task
        case .delete: throw Problem.notFound("No such task.")
        }
    }

    func delete(id: UUID, userID: UUID, expectedVersion: Int?) async throws {
        guard
            let (_, events) = try await store.modifyTask(id: id, userID: userID, { current in
                try Self.checkVersion(current, expected: expectedVersion)
                return .delete
            })
        else { throw Problem.notFound("No such task.") }
        await published(events)
    }

    func list(userID: UUID, query: TaskQuery) async throws -> TaskPage {
        try await store.tasks(userID: userID, matching: query)
    }

    /// Creates validated tasks in one transaction.
    func insert(_ tasks: [TaskItem], userID: UUID) async throws {
        guard !tasks.isEmpty else { return }
        await published(try await store.insert(tasks: tasks, userID: userID))
    }

    // MARK: Rules

    private static func checkVersion(_ task: TaskItem, expected: Int?) throws {
        guard let expected, expected != task.version else { return }
        throw Problem(
            .preconditionFailed, code: "version_mismatch",
            detail: "The task changed since version \(expected); it is now at version \(task.version). Fetch it and try again.",
            headers: [.eTag: "\"\(task.version)\""])
    }

    static func apply(_ input: TaskInput, to current: TaskItem, now: Date) -> TaskItem {
        var task = current
        if let title = input.title { task.title = title }
        if let description = input.description { task.description = description }
        if let priority = input.priority { task.priority = priority }
        if let tags = input.tags { task.tags = tags }
        switch input.dueAt {
        case .keep: break
        case .clear: task.dueAt = nil
        case .set(let date): task.dueAt = date.roundedToMilliseconds
        }
        switch input.recurrence {
        case .keep: break
        case .clear: task.recurrence = nil
        case .set(let recurrence): task.recurrence = recurrence
        }
        if input.dueAt.isSet || input.recurrence.isSet || (task.recurrence != current.recurrence) {
            task.anchorDay = TaskItem.anchorDay(for: task.dueAt, recurrence: task.recurrence)
        }
        if let completed = input.completed, completed != current.completed {
            task.completed = completed
            task.completedAt = completed ? now : nil
        }
        guard task != current else { return current }
        task.updatedAt = now
        task.version = current.version + 1
        return task
    }

    /// The next occurrence when this change completes a recurring task that has a due date.
    static func nextOccurrence(before: TaskItem, after: TaskItem, now: Date) -> TaskItem? {
        guard !before.completed, after.completed, let recurrence = after.recurrence, let due = after.dueAt else { return nil }
        let nextDue = recurrence.nextDue(after: due, anchorDay: after.anchorDay, now: now)
        return TaskItem(
            id: .v7(at: now), userID: after.userID, title: after.title, description: after.description, completed: false,
            priority: after.priority, tags: after.tags, dueAt: nextDue, recurrence: recurrence,
            anchorDay: after.anchorDay ?? TaskItem.anchorDay(for: due, recurrence: recurrence), createdAt: now, updatedAt: now,
            completedAt: nil, version: 1)
    }
}

extension TaskInput.FieldChange {
    var newValue: Value? {
        if case .set(let value) = self { return value }
        return nil
    }

    var isSet: Bool {
        if case .keep = self { return false }
        return true
    }
}

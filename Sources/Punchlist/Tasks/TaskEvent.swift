import Foundation

/// One change to a user's tasks, as the outbox keeps it and the live stream sends it.
public struct TaskEvent: Sendable, Equatable {
    /// Strictly increasing per user, without gaps.
    public var id: Int64
    public var userID: UUID
    public var kind: Kind
    public var taskID: UUID
    /// The task after the change, as JSON; nil for deletions.
    public var taskJSON: String?
    public var at: Date

    /// What happened to the task.
    public enum Kind: String, Sendable {
        case created = "task.created"
        case updated = "task.updated"
        case deleted = "task.deleted"
    }
}

extension TaskEvent {
    /// The event for a change to `task`, numbered `id`.
    init(id: Int64, kind: Kind, task: TaskItem, at: Date) {
        self.init(
            id: id, userID: task.userID, kind: kind, taskID: task.id,
            taskJSON: kind == .deleted ? nil : String(decoding: task.json, as: UTF8.self), at: at)
    }
}

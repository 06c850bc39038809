import Foundation
import PostgresNIO

// Statements whose text never changes, prepared once per pooled connection. PostgreSQL then plans
// them once instead of on every request: planning was half of a backend's work for a page of tasks
// and two thirds for a single task (pgbench, `-M extended` against `-M prepared`).

/// One task of one user.
struct TaskByID: PostgresPreparedStatement {
    static let sql = "SELECT \(TaskListSQL.taskColumns) FROM tasks WHERE id = $1 AND user_id = $2"
    let id: UUID
    let userID: UUID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(id)
        bindings.append(userID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> TaskItem { try PostgresStore.task(from: row) }
}

// The shapes of task writes, each with its text made once from a template.

enum TaskCreation: TaskWriteShape {
    static let sql = PostgresStore.creation(of: [.template], userID: TaskItem.template.userID).statement().sql
}

enum TaskUpdate: TaskWriteShape {
    static let sql = PostgresStore.update(from: .template, to: .template, follower: nil).statement().sql
}

enum TaskUpdateWithFollower: TaskWriteShape {
    static let sql = PostgresStore.update(from: .template, to: .template, follower: .template).statement().sql
}

enum TaskDeletion: TaskWriteShape {
    static let sql = PostgresStore.deletion(of: .template).statement().sql
}

extension TaskItem {
    /// A task whose values do not matter: the text of a write does not depend on them.
    fileprivate static let template = TaskItem(
        id: UUID(), userID: UUID(), title: "", description: "", completed: false, priority: .none, tags: [], dueAt: nil, recurrence: nil,
        anchorDay: nil, createdAt: Date(), updatedAt: Date(), completedAt: nil, version: 1)
}

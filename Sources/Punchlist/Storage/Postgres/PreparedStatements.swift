import Foundation
import PostgresNIO

// Statements whose text never changes, prepared once per pooled connection. PostgreSQL then plans
// them once instead of on every request: planning was half of a backend's work for a page of tasks
// and two thirds for a single task (pgbench, `-M extended` against `-M prepared`).
//
// They run through ``PreparedQueries``, which takes their rows all at once.

/// One task of one user: `$1` the task, `$2` the user.
enum TaskByID: PreparedSQL {
    static let sql = "SELECT \(TaskListSQL.taskColumns) FROM tasks WHERE id = $1 AND user_id = $2"
}

/// The first page of a list in the default order (newest first) with no filter: what the web app
/// shows first and fetches again on every reload. Its plan, even PostgreSQL's generic one, is a walk
/// of the user's `created_at` index. Other lists vary too much to prepare: a filter or a cursor
/// can make a generic plan much worse than the one made for the values at hand.
/// `$1` the user, `$2` how many rows.
enum FirstTaskPage: PreparedSQL {
    /// The statement as ``TaskListSQL`` writes it, with `?` placeholders: a list whose statement
    /// is this one runs prepared, without numbering the placeholders of its text again.
    static let template = statement.sql
    static let sql = statement.postgresQuery.0
    private static let statement = TaskListSQL(query: TaskQuery(), userID: UUID(), dialect: .postgres).statements[0]
}

// The shapes of task writes, each with its text made once from a template.

enum TaskCreation: TaskWriteShape {
    static let sql = PostgresStore.creation(of: [.template], userID: TaskItem.template.userID).statement().sql
}

enum KeyedTaskCreation: TaskWriteShape {
    static let sql = PostgresStore.keyedCreation(of: .template, key: IdempotencyKey(value: "", fingerprint: ""), now: Date()).statement().sql
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

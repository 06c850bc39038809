import Foundation

/// The SQL for one page of a task list, shared by both stores: the same filters, the same
/// keyset and the same index-ordered walk, with `?` placeholders and the dialect's few differences.
struct TaskListSQL {
    enum Dialect { case sqlite, postgres }

    /// A value bound to a placeholder.
    enum Bind {
        case text(String)
        case integer(Int)
        case date(Date)
        case score(Double)
        case texts([String])
        case uuid(UUID)
    }

    /// One statement to run: SQL with `?` placeholders and their values, in order.
    struct Statement {
        var sql: String
        var binds: [Bind]
    }

    let query: TaskQuery
    let userID: UUID
    let dialect: Dialect

    /// The columns a task is read from, in the order ``TaskCells/task(userID:)`` decodes them.
    /// Named rather than `tasks.*`: PostgreSQL would also send each row's search document, which
    /// nobody reads and which cost more to send and skip than the task itself. Not the owner:
    /// every read names it in its `WHERE`, and each cell costs the server more than the value
    /// itself (a `PostgresCell` per value, a tenth of a list request's CPU).
    static let taskColumns =
        "tasks.id, tasks.title, tasks.description, tasks.completed, tasks.priority, tasks.tags, tasks.due_at, "
        + "tasks.recurrence, tasks.anchor_day, tasks.created_at, tasks.updated_at, tasks.completed_at, tasks.version"

    /// Whether each row has a `score` column after the task's: only a list sorted by relevance
    /// orders by it or makes cursors from it.
    var readsScore: Bool { query.sort == .relevance }

    /// Statements to run in order until `query.limit + 1` rows have come back. Sorting by due date
    /// walks the dated tasks in index order first, then the undated ones by id, so they come last
    /// in both directions.
    var statements: [Statement] {
        guard query.sort == .dueAt else { return [statement(part: nil)] }
        // A due-date filter already excludes undated tasks.
        let undatedExcluded = query.dueBefore != nil || query.dueAfter != nil || query.overdueBefore != nil
        if undatedExcluded { return [statement(part: .dated)] }
        let inUndated = query.after?.value == .date(nil)
        return inUndated ? [statement(part: .undated)] : [statement(part: .dated), statement(part: .undated)]
    }

    private enum DuePart { case dated, undated }

    private func statement(part: DuePart?) -> Statement {
        var conditions = ["tasks.user_id = ?"]
        var binds: [Bind] = [.uuid(userID)]
        // Binds must follow the placeholders' order in the text, and FROM comes before WHERE.
        var fromBinds: [Bind] = []
        var from = "tasks"
        var score = dialect == .postgres ? "0.0::float8" : "0.0"
        if !query.searchWords.isEmpty {
            switch dialect {
            case .sqlite:
                from = "tasks_search JOIN tasks ON tasks.seq = tasks_search.rowid"
                conditions.append("tasks_search MATCH ?")
                binds.append(.text(query.searchWords.map { "\"\($0)\"*" }.joined(separator: " ")))
                score = "-bm25(tasks_search, 10.0, 1.0, 5.0)"
            case .postgres:
                from = "tasks, to_tsquery('simple', ?) AS words"
                fromBinds.append(.text(query.searchWords.map { "'\(PostgresSearch.folded($0))':*" }.joined(separator: " & ")))
                conditions.append("tasks.search @@ words")
                score = "ts_rank(tasks.search, words)::float8"
            }
        }
        switch query.status {
        case .all: break
        case .open: conditions.append("NOT tasks.completed")
        case .completed: conditions.append("tasks.completed")
        }
        if let priority = query.priority {
            conditions.append("tasks.priority = ?")
            binds.append(.integer(priority.rank))
        }
        if !query.tags.isEmpty {
            switch dialect {
            case .sqlite:
                for tag in query.tags {
                    conditions.append("EXISTS (SELECT 1 FROM task_tags WHERE task_tags.user_id = tasks.user_id AND tag = ? AND task_id = tasks.id)")
                    binds.append(.text(tag))
                }
            case .postgres:
                conditions.append("tasks.tags @> ?")
                binds.append(.texts(query.tags))
            }
        }
        if let dueBefore = query.dueBefore {
            conditions.append("tasks.due_at < ?")
            binds.append(.date(dueBefore))
        }
        if let dueAfter = query.dueAfter {
            conditions.append("tasks.due_at > ?")
            binds.append(.date(dueAfter))
        }
        if let overdue = query.overdueBefore {
            conditions.append("NOT tasks.completed AND tasks.due_at < ?")
            binds.append(.date(overdue))
        }
        let direction = query.descending ? "DESC" : "ASC"
        let comparison = query.descending ? "<" : ">"
        let column: String
        switch query.sort {
        case .createdAt: column = "tasks.created_at"
        case .updatedAt: column = "tasks.updated_at"
        case .dueAt: column = "tasks.due_at"
        case .priority: column = "tasks.priority"
        case .title: column = "tasks.title_key"
        case .relevance: column = "score"
        }
        var order = "\(column) \(direction), tasks.id \(direction)"
        switch part {
        case .dated?: conditions.append("tasks.due_at IS NOT NULL")
        case .undated?:
            conditions.append("tasks.due_at IS NULL")
            order = "tasks.id \(direction)"
        case nil: break
        }
        var keyset: String?
        var keysetBinds: [Bind] = []
        if let after = query.after {
            if part == .undated {
                if after.value == .date(nil) {
                    keyset = "tasks.id \(comparison) ?"
                    keysetBinds = [.uuid(after.id)]
                }
            } else if let value = Self.bind(after.value) {
                keyset = "(\(column) \(comparison) ? OR (\(column) = ? AND tasks.id \(comparison) ?))"
                keysetBinds = [value, value, .uuid(after.id)]
            }
        }
        let sql: String
        if readsScore {
            // The score exists only once a row is matched, so the keyset applies one level up.
            sql = "SELECT * FROM (SELECT \(Self.taskColumns), \(score) AS score FROM \(from) WHERE \(conditions.joined(separator: " AND "))) AS tasks"
                + (keyset.map { " WHERE \($0)" } ?? "") + " ORDER BY \(order) LIMIT ?"
        } else {
            let all = conditions + (keyset.map { [$0] } ?? [])
            sql = "SELECT \(Self.taskColumns) FROM \(from) WHERE \(all.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?"
        }
        return Statement(sql: sql, binds: fromBinds + binds + keysetBinds)
    }

    private static func bind(_ value: TaskQuery.SortValue) -> Bind? {
        switch value {
        case .date(let date): date.map(Bind.date)
        case .integer(let number): .integer(number)
        case .text(let text): .text(text)
        case .score(let score): .score(score)
        }
    }
}

import Foundation

/// Which of a user's tasks to list, in which order, from where.
public struct TaskQuery: Sendable, Equatable {
    public enum Status: String, Sendable { case all, open, completed }

    /// The orders a list can take; `relevance` only with a search.
    public enum SortField: String, Sendable, CaseIterable {
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case dueAt = "due_at"
        case priority
        case title
        case relevance
    }

    /// A value of the sort field, as a cursor remembers it.
    public enum SortValue: Sendable, Equatable {
        case date(Date?)
        case integer(Int)
        case text(String)
        case score(Double)
    }

    /// Where the previous page ended: its last task's sort value and id.
    public struct Position: Sendable, Equatable {
        public var value: SortValue
        public var id: UUID
    }

    public var status: Status = .all
    public var priority: TaskItem.Priority?
    /// All of these tags must be on the task.
    public var tags: [String] = []
    /// Words to search for; each matches as a prefix.
    public var searchWords: [String] = []
    public var dueBefore: Date?
    public var dueAfter: Date?
    /// Open tasks due before this instant.
    public var overdueBefore: Date?
    public var sort: SortField = .createdAt
    public var descending: Bool = true
    public var after: Position?
    public var limit: Int = 50

    public init() {}
}

extension TaskItem {
    /// This task's value of a sort field, for a cursor. `relevance` needs the search score.
    func sortValue(for field: TaskQuery.SortField, score: Double = 0) -> TaskQuery.SortValue {
        switch field {
        case .createdAt: .date(createdAt)
        case .updatedAt: .date(updatedAt)
        case .dueAt: .date(dueAt)
        case .priority: .integer(priority.rank)
        case .title: .text(title)
        case .relevance: .score(score)
        }
    }
}

/// A page of tasks and the position the next page starts after (nil on the last page).
public struct TaskPage: Sendable, Equatable {
    public var items: [TaskItem]
    public var next: TaskQuery.Position?

    /// Builds a page from up to `limit + 1` rows fetched in order, with their search scores.
    init(rows: [(task: TaskItem, score: Double)], query: TaskQuery) {
        let shown = rows.prefix(query.limit)
        items = shown.map(\.task)
        if rows.count > query.limit, let last = shown.last {
            next = TaskQuery.Position(value: last.task.sortValue(for: query.sort, score: last.score), id: last.task.id)
        }
    }
}

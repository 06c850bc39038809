import Foundation

/// A task on someone's list. (Named `TaskItem` so it never shadows Swift's `Task`.)
public struct TaskItem: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var title: String
    public var description: String
    public var completed: Bool
    public var priority: Priority
    public var tags: [String]
    public var dueAt: Date?
    public var recurrence: Recurrence?
    /// The day of the month a monthly or yearly series falls on (31 for "the 31st"), kept so that
    /// a month too short for it does not move the rest of the series.
    public var anchorDay: Int?
    public var createdAt: Date
    public var updatedAt: Date
    public var completedAt: Date?
    public var version: Int

    /// How urgent a task is; stored as its rank so that sorting by it is sorting by urgency.
    public enum Priority: String, Sendable, CaseIterable, Comparable {
        case none, low, medium, high

        public var rank: Int {
            switch self {
            case .none: 0
            case .low: 1
            case .medium: 2
            case .high: 3
            }
        }

        public init?(rank: Int) {
            guard let found = Self.allCases.first(where: { $0.rank == rank }) else { return nil }
            self = found
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
    }

    /// How often a task comes back once completed.
    public enum Recurrence: String, Sendable, CaseIterable {
        case daily, weekly, monthly, yearly
    }
}

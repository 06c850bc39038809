import Foundation
import Testing

@testable import Punchlist

/// PostgreSQL's writes run as prepared statements only when their text is the one prepared; the
/// text must therefore not depend on the values, or every write would quietly fall back to being
/// planned anew.
@Suite struct PreparedStatementTests {
    static func task(_ title: String, due: Date?, tags: [String], recurrence: TaskItem.Recurrence?) -> TaskItem {
        let now = Date().roundedToMilliseconds
        return TaskItem(
            id: .v7(), userID: .v7(), title: title, description: "about \(title)", completed: due == nil, priority: .high, tags: tags,
            dueAt: due, recurrence: recurrence, anchorDay: recurrence == nil ? nil : 12, createdAt: now, updatedAt: now,
            completedAt: due == nil ? now : nil, version: 3)
    }

    static let examples = [
        task("plain", due: nil, tags: [], recurrence: nil),
        task("dated, tagged and recurring", due: Date() + 86_400, tags: ["a", "b c"], recurrence: .monthly),
    ]

    @Test func everyWriteOfAShapeHasTheTextThatWasPrepared() {
        for task in Self.examples {
            let other = Self.examples[0]
            #expect(PostgresStore.creation(of: [task], userID: task.userID).statement().sql == TaskCreation.sql)
            #expect(PostgresStore.creation(of: Self.examples, userID: task.userID).statement().sql == TaskCreation.sql)
            #expect(PostgresStore.update(from: other, to: task, follower: nil).statement().sql == TaskUpdate.sql)
            #expect(PostgresStore.update(from: other, to: task, follower: other).statement().sql == TaskUpdateWithFollower.sql)
            #expect(PostgresStore.deletion(of: task).statement().sql == TaskDeletion.sql)
        }
        #expect(Set([TaskCreation.sql, TaskUpdate.sql, TaskUpdateWithFollower.sql, TaskDeletion.sql]).count == 4)
    }

    @Test func onlyTheFirstPageInTheDefaultOrderIsPrepared() {
        func sql(_ change: (inout TaskQuery) -> Void) -> String {
            var query = TaskQuery()
            change(&query)
            return TaskListSQL(query: query, userID: .v7(), dialect: .postgres).statements[0].postgresQuery.0
        }
        #expect(sql { $0.limit = 7 } == FirstTaskPage.sql)
        #expect(sql { $0.status = .open } != FirstTaskPage.sql)
        #expect(sql { $0.after = .init(value: .date(Date()), id: .v7()) } != FirstTaskPage.sql)
        #expect(sql { $0.descending = false } != FirstTaskPage.sql)
        #expect(sql { $0.searchWords = ["milk"] } != FirstTaskPage.sql)
    }
}

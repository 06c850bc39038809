import Foundation
import GRDB

/// Where each column of a task row is, found once per statement. GRDB's lookup by name lower-cases
/// the name on every call, which cost a tenth of a list request; by index it is an array access.
struct SQLiteTaskColumns {
    let id, title, description, completed, priority, tags, dueAt, recurrence, anchorDay: Int
    let createdAt, updatedAt, completedAt, version: Int
    let score: Int?

    init(_ names: [String]) {
        func index(_ name: String) -> Int { names.firstIndex(of: name)! }
        id = index("id"); title = index("title"); description = index("description")
        completed = index("completed"); priority = index("priority"); tags = index("tags"); dueAt = index("due_at")
        recurrence = index("recurrence"); anchorDay = index("anchor_day"); createdAt = index("created_at")
        updatedAt = index("updated_at"); completedAt = index("completed_at"); version = index("version")
        score = names.firstIndex(of: "score")
    }

    /// The task of `userID` (whose reads name it in their `WHERE`) in `row`.
    func task(from row: Row, userID: UUID) -> TaskItem {
        TaskItem(
            id: UUID(text: row[id])!, userID: userID, title: row[title], description: row[description],
            completed: row[completed], priority: TaskItem.Priority(rank: row[priority]) ?? .none, tags: Self.tags(fromJSON: row[tags]),
            dueAt: (row[dueAt] as Int64?).map(Date.init(milliseconds:)),
            recurrence: (row[recurrence] as String?).flatMap(TaskItem.Recurrence.init(rawValue:)), anchorDay: row[anchorDay],
            createdAt: Date(milliseconds: row[createdAt]), updatedAt: Date(milliseconds: row[updatedAt]),
            completedAt: (row[completedAt] as Int64?).map(Date.init(milliseconds:)), version: row[version])
    }

    /// Runs a (cached, prepared once per connection) statement that selects task rows of `userID`, and decodes them.
    static func fetch(_ db: Database, sql: String, arguments: StatementArguments, userID: UUID) throws -> [(task: TaskItem, score: Double)] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLiteTaskColumns(statement.columnNames)
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        var tasks: [(task: TaskItem, score: Double)] = []
        while let row = try rows.next() {
            tasks.append((task: columns.task(from: row, userID: userID), score: columns.score.map { row[$0] } ?? 0))
        }
        return tasks
    }

    /// The tags column: a JSON array of strings as ``SQLiteStore/tagsJSON(_:)`` writes it. Tags
    /// without escapes (nearly all) are cut out directly; anything else goes to `JSONDecoder`.
    static func tags(fromJSON text: String) -> [String] {
        var text = text
        if let tags = text.withUTF8(plainTags) { return tags }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    private static func plainTags(_ bytes: UnsafeBufferPointer<UInt8>) -> [String]? {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "["), bytes[bytes.count - 1] == UInt8(ascii: "]") else { return nil }
        var tags: [String] = []
        var at = 1
        if bytes.count == 2 { return tags }
        while true {
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
            let start = at + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") { return nil }
                end += 1
            }
            guard end + 1 < bytes.count else { return nil }
            tags.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
            at = end + 1
            if bytes[at] == UInt8(ascii: "]") { return at == bytes.count - 1 ? tags : nil }
            guard bytes[at] == UInt8(ascii: ",") else { return nil }
            at += 1
        }
    }
}

import Foundation
import Hummingbird

/// Reads the list's query string into a ``TaskQuery``; a bad value is a 400 that names the parameter.
struct TaskListParameters {
    let cursors: TaskCursor

    func query(from request: Request, now: Date) throws -> TaskQuery {
        let parameters = request.uri.queryParameters
        var query = TaskQuery()
        if let status = parameters["status"].map(String.init) {
            guard let value = TaskQuery.Status(rawValue: status) else { throw invalid("status", "all, open or completed") }
            query.status = value
        }
        if let priority = parameters["priority"].map(String.init) {
            guard let value = TaskItem.Priority(rawValue: priority) else { throw invalid("priority", "none, low, medium or high") }
            query.priority = value
        }
        var tags: [String] = []
        for raw in parameters.getAll("tag") {
            let tag = String(raw).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard !tag.isEmpty, tag.unicodeScalars.count <= 40, !tag.unicodeScalars.contains("\u{0}") else {
                throw invalid("tag", "a tag of 1 to 40 characters")
            }
            if !tags.contains(tag) { tags.append(tag) }
        }
        query.tags = tags
        if let text = parameters["q"].map(String.init) {
            guard text.unicodeScalars.count <= 200 else { throw invalid("q", "at most 200 characters") }
            query.searchWords = Self.words(text)
        }
        query.dueBefore = try date(parameters["due_before"].map(String.init), name: "due_before")
        query.dueAfter = try date(parameters["due_after"].map(String.init), name: "due_after")
        if let overdue = parameters["overdue"].map(String.init) {
            guard let flag = Bool(overdue) else { throw invalid("overdue", "true or false") }
            if flag { query.overdueBefore = now }
        }
        if let sort = parameters["sort"].map(String.init) {
            guard let field = TaskQuery.SortField(rawValue: sort), field != TaskQuery.SortField.relevance else {
                throw invalid("sort", "created_at, updated_at, due_at, priority or title")
            }
            query.sort = field
        } else if !query.searchWords.isEmpty {
            query.sort = .relevance
        }
        query.descending = query.sort != .title
        if let order = parameters["order"].map(String.init) {
            guard order == "asc" || order == "desc" else { throw invalid("order", "asc or desc") }
            // Relevance is always best first.
            if query.sort != .relevance { query.descending = order == "desc" }
        }
        if let limit = parameters["limit"].map(String.init) {
            guard let value = Int(limit), (1...200).contains(value) else { throw invalid("limit", "a whole number from 1 to 200") }
            query.limit = value
        }
        if let cursor = parameters["cursor"].map(String.init) {
            guard let position = cursors.decode(cursor, sort: query.sort, descending: query.descending) else {
                throw Problem.badRequest(code: "invalid_cursor", "cursor is not a next_cursor from this list with the same sort and order.")
            }
            query.after = position
        }
        return query
    }

    /// Search words: runs of letters and digits, lower-cased; at most ten, each at most 64 characters.
    static func words(_ text: String) -> [String] {
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }.map { String($0.prefix(64)) }
        return Array(words.prefix(10))
    }

    private func date(_ text: String?, name: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text) else { throw invalid(name, "an RFC 3339 date-time such as 2026-11-21T20:45:25Z") }
        return date
    }

    private func invalid(_ name: String, _ expected: String) -> Problem {
        Problem.invalidParameter(name, mustBe: expected)
    }
}

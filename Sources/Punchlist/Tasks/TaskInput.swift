import Foundation

/// The writable fields of a task as a client sent them, validated by the contract's rules.
/// Absent fields are nil; `clearDueAt`/`clearRecurrence` record an explicit `null`.
struct TaskInput: Sendable {
    var title: String?
    var description: String?
    var completed: Bool?
    var priority: TaskItem.Priority?
    var tags: [String]?
    var dueAt: FieldChange<Date>
    var recurrence: FieldChange<TaskItem.Recurrence>
    /// From an export being imported: kept as the task's history.
    var createdAt: Date?
    var completedAt: Date?

    /// A nullable field's change: leave it, clear it, or set it.
    enum FieldChange<Value: Sendable>: Sendable {
        case keep, clear
        case set(Value)
    }

    static let writableFields: Set<String> = ["title", "description", "completed", "priority", "tags", "due_at", "recurrence"]
    /// What an export line carries beyond the writable fields; `id`, `updated_at` and `version` are ignored.
    static let importFields = writableFields.union(["id", "created_at", "updated_at", "completed_at", "version"])

    /// Reads and validates a body; every problem is collected into `errors` with its JSON path.
    init(_ value: JSONValue, requireTitle: Bool, importing: Bool = false, errors: inout [Problem.FieldError]) {
        var reader = ObjectReader(value, fields: importing ? Self.importFields : Self.writableFields)
        switch reader.string("title") {
        case .value(let raw):
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty {
                reader.fail("title", "must not be empty")
            } else if raw.unicodeScalars.count > 500 {
                reader.fail("title", "must be at most 500 characters")
            } else if raw.unicodeScalars.contains("\u{0}") {
                reader.fail("title", "must not contain NUL characters")
            }
            title = trimmed
        case .null: reader.fail("title", "must be a string")
        case .absent: if requireTitle, !reader.has("title") { reader.fail("title", "is required") }
        }
        switch reader.string("description") {
        case .value(let text):
            if text.unicodeScalars.count > 20_000 { reader.fail("description", "must be at most 20000 characters") }
            if text.unicodeScalars.contains("\u{0}") { reader.fail("description", "must not contain NUL characters") }
            description = text
        case .null: reader.fail("description", "must be a string")
        case .absent: break
        }
        switch reader.bool("completed") {
        case .value(let flag): completed = flag
        case .null: reader.fail("completed", "must be a boolean")
        case .absent: break
        }
        switch reader.string("priority") {
        case .value(let text):
            priority = TaskItem.Priority(rawValue: text)
            if priority == nil { reader.fail("priority", "must be one of none, low, medium, high") }
        case .null: reader.fail("priority", "must be one of none, low, medium, high")
        case .absent: break
        }
        switch reader.strings("tags") {
        case .value(let raw):
            tags = Self.normalizedTags(raw, reader: &reader)
        case .null: reader.fail("tags", "must be an array of strings")
        case .absent: break
        }
        dueAt = .keep
        switch reader.string("due_at") {
        case .value(let text):
            if let date = Timestamp.parse(text) { dueAt = .set(date) } else { reader.fail("due_at", "must be an RFC 3339 date-time") }
        case .null: dueAt = .clear
        case .absent: break
        }
        recurrence = .keep
        switch reader.string("recurrence") {
        case .value(let text):
            if let value = TaskItem.Recurrence(rawValue: text) {
                recurrence = .set(value)
            } else {
                reader.fail("recurrence", "must be one of daily, weekly, monthly, yearly, or null")
            }
        case .null: recurrence = .clear
        case .absent: break
        }
        if importing {
            createdAt = Self.timestamp(&reader, "created_at")
            completedAt = Self.timestamp(&reader, "completed_at")
        }
        errors += reader.errors
    }

    /// Trimmed, lower-cased and de-duplicated (first position kept), each 1–40 characters, at most 20.
    private static func normalizedTags(_ raw: [String], reader: inout ObjectReader) -> [String] {
        if raw.count > 20 { reader.fail("tags", "must have at most 20 tags") }
        var seen = Set<String>()
        var tags: [String] = []
        for (index, tag) in raw.enumerated() {
            let normalized = tag.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if normalized.isEmpty {
                reader.fail("tags[\(index)]", "must not be empty")
            } else if tag.unicodeScalars.count > 40 {
                reader.fail("tags[\(index)]", "must be at most 40 characters")
            } else if normalized.unicodeScalars.contains("\u{0}") {
                reader.fail("tags[\(index)]", "must not contain NUL characters")
            } else if seen.insert(normalized).inserted {
                tags.append(normalized)
            }
        }
        return tags
    }

    private static func timestamp(_ reader: inout ObjectReader, _ name: String) -> Date? {
        guard case .value(let text) = reader.string(name) else { return nil }
        guard let date = Timestamp.parse(text) else {
            reader.fail(name, "must be an RFC 3339 date-time")
            return nil
        }
        return date.roundedToMilliseconds
    }
}

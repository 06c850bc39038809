import Foundation

extension TaskItem {
    /// Writes the task as the contract shows it, into room reserved once for the whole object.
    func write(to json: inout JSONWriter) {
        var length = Self.fixedJSONLength + JSONPieces.length(of: title) + JSONPieces.length(of: description)
        for tag in tags { length += JSONPieces.length(of: tag) + 1 }
        json.value(length: length) { out in
            JSONPieces.ascii("{\"id\":", to: &out)
            JSONPieces.uuid(id, to: &out)
            JSONPieces.ascii(",\"title\":", to: &out)
            JSONPieces.string(title, to: &out)
            JSONPieces.ascii(",\"description\":", to: &out)
            JSONPieces.string(description, to: &out)
            JSONPieces.ascii(completed ? ",\"completed\":true,\"priority\":\"" : ",\"completed\":false,\"priority\":\"", to: &out)
            JSONPieces.ascii(priority.name, to: &out)
            JSONPieces.ascii("\",\"tags\":[", to: &out)
            for (index, tag) in tags.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONPieces.string(tag, to: &out)
            }
            JSONPieces.ascii("],\"due_at\":", to: &out)
            JSONPieces.date(dueAt, to: &out)
            JSONPieces.ascii(",\"recurrence\":", to: &out)
            JSONPieces.ascii(recurrence?.quotedName ?? "null", to: &out)
            JSONPieces.ascii(",\"created_at\":", to: &out)
            JSONPieces.date(createdAt, to: &out)
            JSONPieces.ascii(",\"updated_at\":", to: &out)
            JSONPieces.date(updatedAt, to: &out)
            JSONPieces.ascii(",\"completed_at\":", to: &out)
            JSONPieces.date(completedAt, to: &out)
            JSONPieces.ascii(",\"version\":", to: &out)
            JSONPieces.integer(Int64(version), to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The most bytes a task's JSON has besides its title, description and tags: 205 of keys,
    /// punctuation, id, priority and recurrence, then the version and four dates.
    private static let fixedJSONLength = 205 + JSONPieces.integerLength + 4 * JSONPieces.dateLength

    /// The task as one JSON document.
    var json: [UInt8] {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.bytes
    }
}

extension TaskPage {
    /// The page as the list route answers it: `{"items":[...],"next_cursor":...}`.
    func json(nextCursor: String?) -> [UInt8] {
        var json = JSONWriter(capacity: 400 * items.count + 64)
        json.beginObject()
        json.key("items")
        json.beginArray()
        for task in items { task.write(to: &json) }
        json.endArray()
        json.key("next_cursor")
        json.string(nextCursor)
        json.endObject()
        return json.bytes
    }
}

extension TaskItem.Priority {
    /// The raw value, as static text for ``TaskItem/write(to:)``.
    fileprivate var name: StaticString {
        switch self {
        case .none: "none"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        }
    }
}

extension TaskItem.Recurrence {
    /// The raw value in quotes, as static text for ``TaskItem/write(to:)``.
    fileprivate var quotedName: StaticString {
        switch self {
        case .daily: "\"daily\""
        case .weekly: "\"weekly\""
        case .monthly: "\"monthly\""
        case .yearly: "\"yearly\""
        }
    }
}

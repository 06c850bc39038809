import Foundation

extension TaskItem {
    /// Writes the task as the contract shows it.
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.uuid(id)
        json.key("title"); json.string(title)
        json.key("description"); json.string(description)
        json.key("completed"); json.bool(completed)
        json.key("priority"); json.string(priority.rawValue)
        json.key("tags")
        json.beginArray()
        for tag in tags { json.string(tag) }
        json.endArray()
        json.key("due_at"); json.date(dueAt)
        json.key("recurrence"); json.string(recurrence?.rawValue)
        json.key("created_at"); json.date(createdAt)
        json.key("updated_at"); json.date(updatedAt)
        json.key("completed_at"); json.date(completedAt)
        json.key("version"); json.integer(version)
        json.endObject()
    }

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

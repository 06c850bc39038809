import Foundation
import Logging

/// The tools the assistant and MCP clients act with. Each is a thin layer over ``TaskService``:
/// the same validation, events and isolation as the REST routes. The user always comes from the
/// caller's token, never from the arguments, which are checked like any client input; a bad one
/// becomes a tool error the model can read and correct.
struct TaskTools: Sendable {
    let tasks: TaskService
    let logger: Logger

    /// What a tool call produced: its result (or error) as JSON, and the tasks it touched.
    struct Outcome: Sendable {
        var result: JSONValue
        var isError: Bool
        var taskIDs: [UUID]

        static func failure(_ code: String, _ detail: String, fields: [Problem.FieldError] = []) -> Outcome {
            var error: [String: JSONValue] = ["error": .string(code), "detail": .string(detail)]
            if !fields.isEmpty {
                error["errors"] = .array(fields.map { ["field": .string($0.field), "message": .string($0.message)] })
            }
            return Outcome(result: .object(error), isError: true, taskIDs: [])
        }
    }

    /// Runs one tool for `userID`. Never throws: every failure is described in the outcome.
    func call(_ name: String, arguments: JSONValue, userID: UUID) async -> Outcome {
        guard let tool = AssistantTool(rawValue: name) else {
            return .failure("unknown_tool", "There is no tool named \(name); use one of \(AssistantTool.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        do {
            return try await run(tool, arguments: arguments, userID: userID)
        } catch let problem as Problem {
            return .failure(problem.code, problem.detail, fields: problem.fieldErrors)
        } catch {
            logger.error("assistant tool failed", metadata: ["tool": "\(name)", "error": "\(String(reflecting: type(of: error)))"])
            return .failure("tool_failed", "The tool could not run just now; try again later.")
        }
    }

    /// Runs a tool whose arguments are JSON text, as models write them.
    func call(_ name: String, argumentsText: String, userID: UUID) async -> (arguments: JSONValue, outcome: Outcome) {
        guard let arguments = JSONValue.parse(Array(argumentsText.utf8)) else {
            return (.string(argumentsText), .failure("invalid_arguments", "The arguments are not valid JSON; send a JSON object."))
        }
        return (arguments, await call(name, arguments: arguments, userID: userID))
    }

    private func run(_ tool: AssistantTool, arguments: JSONValue, userID: UUID) async throws -> Outcome {
        switch tool {
        case .addTask:
            let input = try Self.taskInput(arguments, requireTitle: true, allowing: [])
            return Self.taskOutcome(try await tasks.create(input, userID: userID))
        case .listTasks:
            var reader = ObjectReader(arguments, fields: ["status", "tag", "priority", "due_before", "due_after", "overdue", "sort", "order", "limit"])
            let query = try Self.listQuery(&reader)
            return Self.listOutcome(try await tasks.list(userID: userID, query: query))
        case .searchTasks:
            var reader = ObjectReader(arguments, fields: ["query", "status", "limit"])
            var query = TaskQuery()
            switch reader.string("query") {
            case .value(let text):
                query.searchWords = TaskListParameters.words(text)
                if query.searchWords.isEmpty { reader.fail("query", "must contain a word to search for") }
            default: reader.fail("query", "is required: the words to search for")
            }
            query.sort = .relevance
            query.status = Self.status(&reader)
            query.limit = Self.limit(&reader)
            try Self.check(reader)
            return Self.listOutcome(try await tasks.list(userID: userID, query: query))
        case .updateTask:
            let id = try Self.taskID(arguments)
            let input = try Self.taskInput(arguments, requireTitle: false, allowing: ["id"])
            return Self.taskOutcome(try await tasks.update(id: id, userID: userID, with: input, expectedVersion: nil))
        case .completeTask:
            let id = try Self.taskID(arguments)
            var reader = ObjectReader(arguments, fields: ["id", "completed"])
            let completed = reader.bool("completed").value ?? true
            try Self.check(reader)
            let input = try Self.taskInput(["completed": .bool(completed)], requireTitle: false, allowing: [])
            return Self.taskOutcome(try await tasks.update(id: id, userID: userID, with: input, expectedVersion: nil))
        case .deleteTask:
            let id = try Self.taskID(arguments)
            let reader = ObjectReader(arguments, fields: ["id"])
            try Self.check(reader)
            // Read first so the result can name what went (for the reply and the web app's action line).
            let task = try await tasks.task(id: id, userID: userID)
            try await tasks.delete(id: id, userID: userID, expectedVersion: task.version)
            return Outcome(result: ["deleted": .string(id.lowercased), "title": .string(task.title)], isError: false, taskIDs: [id])
        }
    }

    // MARK: Arguments

    private static func check(_ reader: ObjectReader) throws {
        guard reader.errors.isEmpty else { throw Problem.validation(reader.errors) }
    }

    private static func taskID(_ arguments: JSONValue) throws -> UUID {
        guard let text = arguments["id"]?.stringValue else { throw Problem.validation(field: "id", "is required: the task's id") }
        guard let id = UUID(text: text) else { throw Problem.notFound("No such task.") }
        return id
    }

    /// The task fields of the arguments, validated exactly as the REST routes validate a body.
    private static func taskInput(_ arguments: JSONValue, requireTitle: Bool, allowing extra: Set<String>) throws -> TaskInput {
        guard case .object(var members) = arguments else { throw Problem.validation(field: "", "must be a JSON object") }
        for name in extra { members[name] = nil }
        var errors: [Problem.FieldError] = []
        let input = TaskInput(.object(members), requireTitle: requireTitle, errors: &errors)
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return input
    }

    private static func listQuery(_ reader: inout ObjectReader) throws -> TaskQuery {
        var query = TaskQuery()
        query.status = status(&reader)
        if let tag = reader.string("tag").value {
            let normalized = tag.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if normalized.isEmpty || normalized.unicodeScalars.count > 40 { reader.fail("tag", "must be a tag of 1 to 40 characters") }
            query.tags = [normalized]
        }
        if let priority = reader.string("priority").value {
            query.priority = TaskItem.Priority(rawValue: priority)
            if query.priority == nil { reader.fail("priority", "must be one of none, low, medium, high") }
        }
        query.dueBefore = date(&reader, "due_before")
        query.dueAfter = date(&reader, "due_after")
        if reader.bool("overdue").value == true { query.overdueBefore = Date() }
        if let sort = reader.string("sort").value {
            if let field = TaskQuery.SortField(rawValue: sort), field != .relevance {
                query.sort = field
            } else {
                reader.fail("sort", "must be one of created_at, updated_at, due_at, priority, title")
            }
        }
        query.descending = query.sort != .title
        if let order = reader.string("order").value {
            if order == "asc" || order == "desc" { query.descending = order == "desc" } else { reader.fail("order", "must be asc or desc") }
        }
        query.limit = limit(&reader)
        try check(reader)
        return query
    }

    private static func status(_ reader: inout ObjectReader) -> TaskQuery.Status {
        guard let text = reader.string("status").value else { return .all }
        guard let status = TaskQuery.Status(rawValue: text) else {
            reader.fail("status", "must be one of all, open, completed")
            return .all
        }
        return status
    }

    private static func limit(_ reader: inout ObjectReader) -> Int {
        guard let number = reader.number("limit").value else { return 20 }
        guard number.rounded() == number, (1...50).contains(number) else {
            reader.fail("limit", "must be a whole number from 1 to 50")
            return 20
        }
        return Int(number)
    }

    private static func date(_ reader: inout ObjectReader, _ name: String) -> Date? {
        guard let text = reader.string(name).value else { return nil }
        guard let date = Timestamp.parse(text) else {
            reader.fail(name, "must be an RFC 3339 date-time such as 2026-11-27T17:00:00Z")
            return nil
        }
        return date
    }

    // MARK: Results

    private static func taskOutcome(_ task: TaskItem) -> Outcome {
        Outcome(result: JSONValue.parse(task.json) ?? .null, isError: false, taskIDs: [task.id])
    }

    /// A list keeps each description to its first 500 characters, so a page stays small enough for a model.
    private static func listOutcome(_ page: TaskPage) -> Outcome {
        let tasks = page.items.map { task -> JSONValue in
            var shortened = task
            if shortened.description.count > 500 { shortened.description = String(shortened.description.prefix(499)) + "…" }
            return JSONValue.parse(shortened.json) ?? .null
        }
        return Outcome(result: ["tasks": .array(tasks), "more": .bool(page.next != nil)], isError: false, taskIDs: page.items.map(\.id))
    }
}

/// The assistant's tools, as the model and MCP clients see them: names, descriptions and JSON Schemas.
enum AssistantTool: String, CaseIterable, Sendable {
    case addTask = "add_task"
    case listTasks = "list_tasks"
    case searchTasks = "search_tasks"
    case updateTask = "update_task"
    case completeTask = "complete_task"
    case deleteTask = "delete_task"

    var description: String {
        switch self {
        case .addTask: "Create a task. Only title is required."
        case .listTasks: "List tasks with filters and an order, newest first by default. Use overdue=true for open tasks past their due date."
        case .searchTasks: "Find tasks whose title, description or tags contain the words, best match first."
        case .updateTask: "Change fields of a task by id; only the fields given change. due_at or recurrence null clears them."
        case .completeTask: "Mark a task done (or not done with completed=false). Completing a recurring task creates its next occurrence."
        case .deleteTask: "Delete a task by id, permanently."
        }
    }

    /// The JSON Schema of the arguments.
    var parameters: JSONValue {
        switch self {
        case .addTask: Self.object(Self.taskFields, required: ["title"])
        case .listTasks:
            Self.object([
                "status": Self.status,
                "tag": ["type": "string", "description": "Only tasks with this tag."],
                "priority": Self.priority,
                "due_before": Self.dateTime("Only tasks due before this instant."),
                "due_after": Self.dateTime("Only tasks due after this instant."),
                "overdue": ["type": "boolean", "description": "Only open tasks whose due date has passed."],
                "sort": ["type": "string", "enum": ["created_at", "updated_at", "due_at", "priority", "title"]],
                "order": ["type": "string", "enum": ["asc", "desc"]],
                "limit": Self.limit,
            ])
        case .searchTasks:
            Self.object(["query": ["type": "string", "description": "Words to look for."], "status": Self.status, "limit": Self.limit], required: ["query"])
        case .updateTask:
            Self.object(Self.taskFields.merging(["id": Self.id, "completed": ["type": "boolean"]]) { $1 }, required: ["id"])
        case .completeTask:
            Self.object(["id": Self.id, "completed": ["type": "boolean", "description": "false reopens the task; default true."]], required: ["id"])
        case .deleteTask: Self.object(["id": Self.id], required: ["id"])
        }
    }

    var isReadOnly: Bool { self == .listTasks || self == .searchTasks }

    private static let id: JSONValue = ["type": "string", "description": "The task's id (a UUID from a task list or search)."]
    private static let status: JSONValue = ["type": "string", "enum": ["all", "open", "completed"], "description": "Default all."]
    private static let priority: JSONValue = ["type": "string", "enum": ["none", "low", "medium", "high"]]
    private static let limit: JSONValue = ["type": "integer", "minimum": 1, "maximum": 50, "description": "Default 20."]

    private static func dateTime(_ description: String) -> JSONValue {
        ["type": "string", "format": "date-time", "description": .string(description + " RFC 3339, e.g. 2026-11-27T17:00:00Z.")]
    }

    private static let taskFields: [String: JSONValue] = [
        "title": ["type": "string", "minLength": 1, "maxLength": 500],
        "description": ["type": "string", "maxLength": 20000],
        "priority": priority,
        "tags": ["type": "array", "items": ["type": "string", "minLength": 1, "maxLength": 40], "maxItems": 20],
        "due_at": ["type": ["string", "null"], "format": "date-time", "description": "RFC 3339, e.g. 2026-11-27T17:00:00Z; null clears it."],
        "recurrence": [
            "type": ["string", "null"], "enum": ["daily", "weekly", "monthly", "yearly", nil],
            "description": "Repeats from the due date when completed; needs due_at.",
        ],
    ]

    private static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        ["type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string)), "additionalProperties": false]
    }
}

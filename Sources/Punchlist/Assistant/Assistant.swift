import Foundation
import Logging

/// Answers a user's message about their tasks: retrieves the relevant ones, lets the language
/// model read and change tasks through ``TaskTools``, and keeps the conversation.
struct Assistant: Sendable {
    let store: any Store
    let tools: TaskTools
    let retrieval: Retrieval
    /// nil when no language model is configured.
    let model: LanguageModel?
    let settings: AssistantSettings
    let logger: Logger

    /// One tool call the assistant made for the user.
    struct Action: Sendable {
        var tool: String
        var arguments: JSONValue
        var result: JSONValue

        var json: JSONValue { ["tool": .string(tool), "arguments": arguments, "result": result] }
    }

    /// The whole answer to one message.
    struct Reply: Sendable {
        var conversationID: UUID
        var text: String
        var actions: [Action]
        var sources: [UUID]
    }

    /// What a streamed answer reports as it goes.
    enum Progress: Sendable {
        case sources([UUID])
        case text(String)
        case action(Action)
    }

    /// How many earlier messages of the conversation the model sees.
    static let historyLimit = 20
    /// Tool calls the assistant makes for one answer from the model; more are dropped.
    static let callsPerRound = 16
    /// The most of one tool result the model is sent back.
    static let toolResultLimit = 16_384

    /// A tool result cut to ``toolResultLimit`` bytes, saying so.
    static func clipped(_ text: String) -> String {
        guard text.utf8.count > toolResultLimit else { return text }
        return String(decoding: text.utf8.prefix(toolResultLimit), as: UTF8.self) + " …(cut: the result was too long; ask for fewer tasks)"
    }

    /// The conversation to continue (404 when the user has none by that id), or a new one.
    func conversation(_ id: UUID?, userID: UUID, firstMessage: String) async throws -> Conversation {
        if let id {
            guard let conversation = try await store.conversation(id: id, userID: userID) else { throw Problem.notFound("No such conversation.") }
            return conversation
        }
        let now = Date().roundedToMilliseconds
        let conversation = Conversation(id: .v7(at: now), userID: userID, title: Conversation.title(from: firstMessage), createdAt: now, updatedAt: now)
        try await store.insert(conversation: conversation)
        return conversation
    }

    /// Answers `message` in `conversation`. With `progress`, the model's answer is streamed through it.
    func reply(
        to message: String, in conversation: Conversation, progress: (@Sendable (Progress) async throws -> Void)? = nil
    ) async throws -> Reply {
        guard let model else { throw Self.notConfigured(settings) }
        let userID = conversation.userID
        let asked = Date().roundedToMilliseconds
        let history = try await store.messages(conversationID: conversation.id, userID: userID, latest: Self.historyLimit)
        let retrieved = try await retrieval.relevantTasks(for: message, userID: userID)
        var sources = retrieved.map(\.id)
        try await progress?(.sources(sources))

        var messages: [ChatWire.Message] = [.system(Self.instructions(now: asked, retrieved: retrieved))]
        for earlier in history {
            messages.append(earlier.role == .user ? .user(earlier.content) : .assistant(earlier.content))
        }
        messages.append(.user(message))
        let toolList = AssistantTool.allCases.map { ChatWire.Tool(function: .init(name: $0.rawValue, description: $0.description, parameters: $0.parameters)) }

        var onText: (@Sendable (String) async throws -> Void)?
        if let progress { onText = { piece in try await progress(.text(piece)) } }
        var actions: [Action] = []
        // The reply is everything the model said, across rounds, as a streaming client saw it.
        var text = ""
        do {
            var round = 0
            while true {
                let turn = try await model.complete(messages, tools: toolList, onText: onText)
                text += turn.content
                guard !turn.toolCalls.isEmpty else { break }
                guard round < settings.maxToolRounds else {
                    let stop = (text.isEmpty ? "" : "\n\n") + "I stopped after \(settings.maxToolRounds) rounds of tool calls without reaching an answer. "
                        + "The actions listed were carried out; please check them, and ask again more specifically if needed."
                    try await progress?(.text(stop))
                    text += stop
                    break
                }
                round += 1
                // Calls past the limit are dropped before they reach the history: each call kept gets its result.
                let calls = Array(turn.toolCalls.prefix(Self.callsPerRound))
                if turn.toolCalls.count > calls.count {
                    logger.notice("model asked for too many tool calls; extra calls dropped", metadata: ["asked": "\(turn.toolCalls.count)"])
                }
                messages.append(.assistant(turn.content, toolCalls: calls))
                for call in calls {
                    try Task.checkCancellation()
                    let (arguments, outcome) = await tools.call(call.function.name, argumentsText: call.function.arguments, userID: userID)
                    let action = Action(tool: call.function.name, arguments: arguments, result: outcome.result)
                    for id in outcome.taskIDs where !sources.contains(id) { sources.append(id) }
                    actions.append(action)
                    try await progress?(.action(action))
                    messages.append(.tool(Self.clipped(action.result.text), callID: call.id))
                }
            }
        } catch let failure as ModelFailure {
            // Keep a record of what was asked and of any change already made, then report the failure.
            let note = actions.isEmpty ? "" : " The actions listed were carried out before it failed."
            try? await record(
                message: message, asked: asked, reply: "(No answer: \(failure.detail)\(note))", actions: actions, sources: sources,
                in: conversation)
            throw Problem(.badGateway, code: "assistant_upstream_failed", detail: failure.detail)
        } catch {
            // Interrupted (the client left, the database failed): changes already made stay on record.
            if !actions.isEmpty {
                try? await record(
                    message: message, asked: asked, reply: "(The answer was interrupted after the actions listed.)", actions: actions,
                    sources: sources, in: conversation)
            }
            throw error
        }
        try await record(message: message, asked: asked, reply: text, actions: actions, sources: sources, in: conversation)
        return Reply(conversationID: conversation.id, text: text, actions: actions, sources: sources)
    }

    private func record(
        message: String, asked: Date, reply: String, actions: [Action], sources: [UUID], in conversation: Conversation
    ) async throws {
        let answered = Date().roundedToMilliseconds
        let saved = try await store.append(
            messages: [
                ConversationMessage(role: .user, content: message, createdAt: asked),
                ConversationMessage(role: .assistant, content: reply, actionsJSON: JSONValue.array(actions.map(\.json)).text, sources: sources, createdAt: answered),
            ], conversationID: conversation.id, userID: conversation.userID, at: answered)
        if !saved { logger.notice("conversation deleted while answering; the answer was not kept", metadata: ["conversation": "\(conversation.id)"]) }
    }

    /// The system message: who the assistant is, the time, and the tasks retrieval found.
    static func instructions(now: Date, retrieved: [TaskItem]) -> String {
        var text = """
            You are the assistant inside Punchlist, a to-do app. You help one user with their own tasks: answer questions about them \
            and change them with the tools. Never invent a task id: use ids from the tasks below or from tool results, and look tasks \
            up with search_tasks or list_tasks when they are not below. Dates are RFC 3339 in UTC. Keep answers short.
            The time now is \(Timestamp.format(now)) (\(Self.weekday(now)), UTC).

            """
        if retrieved.isEmpty {
            text += "No task matched the user's words; use the tools to look further if needed."
        } else {
            text += "Tasks that may be relevant to the user's message:\n"
            for task in retrieved { text += "- " + Self.summary(task) + "\n" }
        }
        return text
    }

    /// One line per task for the model.
    static func summary(_ task: TaskItem) -> String {
        var parts = ["id \(task.id.lowercased)", "\"\(task.title)\"", task.completed ? "done" : "open", "priority \(task.priority.rawValue)"]
        if let due = task.dueAt { parts.append("due \(Timestamp.format(due))") }
        if let recurrence = task.recurrence { parts.append("repeats \(recurrence.rawValue)") }
        if !task.tags.isEmpty { parts.append("tags " + task.tags.joined(separator: ", ")) }
        if !task.description.isEmpty { parts.append("notes: " + String(task.description.prefix(200))) }
        return parts.joined(separator: "; ")
    }

    private static func weekday(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        return names[calendar.component(.weekday, from: date) - 1]
    }

    static func notConfigured(_ settings: AssistantSettings) -> Problem {
        Problem(
            .serviceUnavailable, code: "assistant_not_configured",
            detail: "The assistant has no language model. Set \(settings.missingVariables.joined(separator: " and ")) "
                + "(and LLM_API_KEY if the model server needs one), e.g. LLM_BASE_URL=https://api.openai.com/v1 with LLM_MODEL=gpt-4o-mini.")
    }
}

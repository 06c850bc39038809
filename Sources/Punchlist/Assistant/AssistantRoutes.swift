import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/assistant`: the chat and the stored conversations.
struct AssistantRoutes: Sendable {
    let assistant: Assistant
    /// Messages per user (`ASSISTANT_RATE_LIMIT`): each one costs a call to the model.
    let rateLimiter: RateLimiter?

    /// The longest message a user may send.
    static let messageLimit = 8_000

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("assistant/chat") { request, context -> Response in
            let user = try context.requireIdentity().userID
            guard assistant.model != nil else { throw Assistant.notConfigured(assistant.settings) }
            if let wait = rateLimiter?.attempt(keys: ["assistant:\(user.lowercased)"]) {
                throw Problem.rateLimited("Too many messages to the assistant", retryAfter: wait)
            }
            let (conversationID, message) = try Self.chatRequest(try await JSONBody.read(request, context: context))
            let conversation = try await assistant.conversation(conversationID, userID: user, firstMessage: message)
            if Self.wantsStream(request) { return streamed(message, in: conversation, requestID: context.requestID) }
            let reply = try await assistant.reply(to: message, in: conversation)
            return Self.json(Self.replyJSON(reply))
        }
        group.get("assistant/conversations") { request, context -> Response in
            let user = try context.requireIdentity().userID
            var limit = 50
            if let text = request.uri.queryParameters["limit"].map(String.init) {
                guard let value = Int(text), (1...200).contains(value) else {
                    throw Problem.invalidParameter("limit", mustBe: "a whole number from 1 to 200")
                }
                limit = value
            }
            var json = JSONWriter()
            json.beginObject()
            json.key("items")
            json.beginArray()
            for conversation in try await assistant.store.conversations(userID: user, limit: limit) { Self.write(conversation, to: &json) }
            json.endArray()
            json.endObject()
            return Self.json(json.bytes)
        }
        group.get("assistant/conversations/:id") { _, context -> Response in
            let user = try context.requireIdentity().userID
            let id = try Self.conversationID(context)
            guard let conversation = try await assistant.store.conversation(id: id, userID: user) else {
                throw Problem.notFound("No such conversation.")
            }
            let messages = try await assistant.store.messages(conversationID: id, userID: user, latest: nil)
            var json = JSONWriter()
            Self.write(conversation, to: &json, messages: messages)
            return Self.json(json.bytes)
        }
        group.delete("assistant/conversations/:id") { _, context -> Response in
            let user = try context.requireIdentity().userID
            guard try await assistant.store.deleteConversation(id: try Self.conversationID(context), userID: user) else {
                throw Problem.notFound("No such conversation.")
            }
            return Response(status: .noContent)
        }
    }

    /// The answer as Server-Sent Events: `conversation`, `sources`, `delta` pieces of text, `action`s,
    /// then `done` with the whole reply, or `error` with a problem document.
    private func streamed(_ message: String, in conversation: Conversation, requestID: String) -> Response {
        let body = ResponseBody { [assistant] writer in
            try await writer.write(Self.event("conversation", JSONValue.object(["conversation_id": .string(conversation.id.lowercased)]).encoded))
            // The answer is produced in a child task; this one writes its progress as it comes.
            let (updates, continuation) = AsyncStream<Assistant.Progress>.makeStream()
            let outcome = try await withThrowingTaskGroup(of: Result<Assistant.Reply, Problem>.self) { group in
                group.addTask {
                    defer { continuation.finish() }
                    do {
                        return .success(try await assistant.reply(to: message, in: conversation) { continuation.yield($0) })
                    } catch let problem as Problem {
                        return .failure(problem)
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        // The 200 is already sent: the failure goes out as the stream's last event.
                        assistant.logger.error(
                            "assistant answer failed", metadata: ["request_id": "\(requestID)", "error": "\(String(reflecting: type(of: error)))"])
                        return .failure(Problem(.internalServerError, code: "internal_error", detail: "The answer failed; try again."))
                    }
                }
                for await update in updates {
                    switch update {
                    case .sources(let ids):
                        try await writer.write(Self.event("sources", JSONValue.object(["sources": .array(ids.map { .string($0.lowercased) })]).encoded))
                    case .text(let piece): try await writer.write(Self.event("delta", JSONValue.object(["text": .string(piece)]).encoded))
                    case .action(let action): try await writer.write(Self.event("action", action.json.encoded))
                    }
                }
                return try await group.next()!
            }
            switch outcome {
            case .success(let reply): try await writer.write(Self.event("done", Self.replyJSON(reply)))
            case .failure(let problem): try await writer.write(Self.event("error", problem.document(requestID: requestID)))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"], body: body)
    }

    static func event(_ name: String, _ data: [UInt8]) -> ByteBuffer {
        EventStream.frame(name, data: data)
    }

    static func wantsStream(_ request: Request) -> Bool {
        request.headers[values: .accept].contains { $0.lowercased().contains("text/event-stream") }
    }

    static func chatRequest(_ body: JSONValue) throws -> (UUID?, String) {
        var reader = ObjectReader(body, fields: ["conversation_id", "message"])
        var conversationID: UUID?
        switch reader.string("conversation_id") {
        case .value(let text):
            conversationID = UUID(text: text)
            if conversationID == nil { reader.fail("conversation_id", "must be a conversation id") }
        case .null, .absent: break
        }
        var message = ""
        switch reader.string("message") {
        case .value(let text):
            message = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if message.isEmpty { reader.fail("message", "must not be empty") }
            if text.unicodeScalars.count > messageLimit { reader.fail("message", "must be at most \(messageLimit) characters") }
            if text.unicodeScalars.contains("\u{0}") { reader.fail("message", "must not contain NUL characters") }
        case .null: reader.fail("message", "must be a string")
        case .absent: reader.fail("message", "is required")
        }
        guard reader.errors.isEmpty else { throw Problem.validation(reader.errors) }
        return (conversationID, message)
    }

    static func replyJSON(_ reply: Assistant.Reply) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("conversation_id"); json.string(reply.conversationID.lowercased)
        json.key("reply"); json.string(reply.text)
        json.key("actions"); json.json(JSONValue.array(reply.actions.map(\.json)).encoded)
        json.key("sources")
        json.beginArray()
        for id in reply.sources { json.string(id.lowercased) }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    static func write(_ conversation: Conversation, to json: inout JSONWriter, messages: [ConversationMessage]? = nil) {
        json.beginObject()
        json.key("id"); json.string(conversation.id.lowercased)
        json.key("title"); json.string(conversation.title)
        json.key("created_at"); json.date(conversation.createdAt)
        json.key("updated_at"); json.date(conversation.updatedAt)
        if let messages {
            json.key("messages")
            json.beginArray()
            for message in messages {
                json.beginObject()
                json.key("role"); json.string(message.role.rawValue)
                json.key("content"); json.string(message.content)
                json.key("actions"); json.json(Array(message.actionsJSON.utf8))
                json.key("sources")
                json.beginArray()
                for id in message.sources { json.string(id.lowercased) }
                json.endArray()
                json.key("created_at"); json.date(message.createdAt)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
    }

    static func conversationID(_ context: AppRequestContext) throws -> UUID {
        try context.idParameter(notFound: "No such conversation.")
    }

    static func json(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

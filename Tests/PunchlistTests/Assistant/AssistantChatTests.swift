import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

@testable import Punchlist

/// The chat route against a fake chat-completions server that speaks the real wire protocol.
@Suite struct AssistantChatTests {
    @Test(arguments: TestDatabase.all)
    func withoutAModelTheChatIs503NamingTheVariablesAndConversationsStillList(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let response = try await client.send(.post, "/api/assistant/chat", json: ["message": "what is overdue?"], headers: user.auth)
            #expect(response.status == .serviceUnavailable)
            #expect(response.problemCode == "assistant_not_configured")
            #expect(response.text.contains("LLM_BASE_URL") && response.text.contains("LLM_MODEL"))
            let list = try await client.send(.get, "/api/assistant/conversations", headers: user.auth)
            #expect(list.status == .ok)
            #expect((list.json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aQuestionIsAnsweredFromTheUsersOwnRetrievedTasks(database: TestDatabase) async throws {
        // The fake answers with the task lines it was given, so the reply shows what retrieval found.
        let model = FakeModelServer { _, request in
            let lines = request.system.split(separator: "\n").filter { $0.hasPrefix("- ") }
            return .text("From your list: " + lines.joined(separator: " | "))
        }
        try await model.run { environment in
            try await withApp(database, environment: environment.merging(["LLM_API_KEY": "sk-test-secret-key"]) { $1 }) { client in
                let owner = try await client.signUp()
                let stranger = try await client.signUp()
                let passport = try await client.createTask(["title": "Renew passport before the Lisbon trip", "tags": ["travel"]], as: owner)
                _ = try await client.createTask(["title": "Buy milk"], as: owner)
                _ = try await client.createTask(["title": "Lisbon hotel booking for someone else"], as: stranger)

                let response = try await client.send(.post, "/api/assistant/chat", json: ["message": "When is my Lisbon trip?"], headers: owner.auth)
                #expect(response.status == .ok)
                let reply = try #require(response.json["reply"] as? String)
                #expect(reply.contains("Renew passport before the Lisbon trip"))
                #expect(response.json["sources"] as? [String] == [passport])
                #expect((response.json["actions"] as? [Any])?.isEmpty == true)
                let sent = try #require(model.requests.first)
                #expect(!sent.system.contains("hotel booking"))
                #expect(!sent.system.contains("Buy milk"))
                #expect(sent.authorization == "Bearer sk-test-secret-key")
                #expect((sent.body["tools"] as? [[String: Any]])?.count == 6)

                let id = try #require(response.json["conversation_id"] as? String)
                let stored = try await client.send(.get, "/api/assistant/conversations/\(id)", headers: owner.auth)
                let messages = try #require(stored.json["messages"] as? [[String: Any]])
                #expect(messages.map { $0["role"] as? String } == ["user", "assistant"])
                #expect(messages.last?["sources"] as? [String] == [passport])
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func toolCallsChangeTasksThroughTheSameRulesAndTheChangeIsLive(database: TestDatabase) async throws {
        let model = FakeModelServer { turn, _ in
            switch turn {
            case 0:
                .toolCalls(
                    [("add_task", #"{"title":"Call mum","due_at":"2026-11-29T10:00:00Z","recurrence":"weekly","tags":["Family"]}"#)],
                    text: "Adding it. ")
            default: .text("Added \"Call mum\", every Sunday 🎉")
            }
        }
        try await model.run { environment in
            try await withApp(database, environment: environment, framework: .live) { client in
                let port = try #require(client.port)
                let user = try await client.signUp()
                try await LiveSocket.connect(port: port, query: "access_token=\(user.token)") { socket in
                    try await socket.waitUntilOpen()
                    var headers = user.auth
                    headers[.accept] = "text/event-stream"
                    let response = try await client.send(.post, "/api/assistant/chat", json: ["message": "add 'call mum' every Sunday"], headers: headers)
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/event-stream")
                    let events = ServerSentEvent.parse(response.text)
                    #expect(events.map(\.name) == ["conversation", "sources", "delta", "delta", "action", "delta", "delta", "delta", "delta", "delta", "done"])
                    let action = try #require(events.first { $0.name == "action" }?.json)
                    #expect(action["tool"] as? String == "add_task")
                    let created = try #require(action["result"] as? [String: Any])
                    #expect(created["tags"] as? [String] == ["family"])
                    let done = try #require(events.last?.json)
                    #expect(done["reply"] as? String == "Adding it. Added \"Call mum\", every Sunday 🎉")
                    #expect(done["sources"] as? [String] == [created["id"] as? String].compactMap { $0 })
                    #expect(events.filter { $0.name == "delta" }.compactMap { $0.json["text"] as? String }.joined() == done["reply"] as? String)

                    let live = try await socket.waitFor(1)
                    #expect(live.first?["type"] as? String == "task.created")
                    #expect((live.first?["task"] as? [String: Any])?["title"] as? String == "Call mum")
                    let list = try await client.send(.get, "/api/tasks", headers: user.auth)
                    let task = try #require((list.json["items"] as? [[String: Any]])?.first)
                    #expect(task["recurrence"] as? String == "weekly")
                    #expect(task["due_at"] as? String == "2026-11-29T10:00:00.000Z")
                }
                #expect(model.requests.allSatisfy { $0.streamed })
                #expect(model.requests.last?.toolResults.first?.contains("\"title\":\"Call mum\"") == true)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func aModelAskingForAnotherUsersTaskGetsNothing(database: TestDatabase) async throws {
        let target = Mutex<String>("")
        let model = FakeModelServer { turn, _ in
            let id = target.withLock { $0 }
            return switch turn {
            case 0:
                .toolCalls([
                    ("update_task", #"{"id":"\#(id)","title":"taken over"}"#), ("complete_task", #"{"id":"\#(id)"}"#),
                    ("delete_task", #"{"id":"\#(id)"}"#), ("search_tasks", #"{"query":"secret"}"#),
                ])
            default: .text("Done.")
            }
        }
        try await model.run { environment in
            try await withApp(database, environment: environment) { client in
                let owner = try await client.signUp()
                let attacker = try await client.signUp()
                let id = try await client.createTask(["title": "Owner's secret plan"], as: owner)
                target.withLock { $0 = id }
                let response = try await client.send(.post, "/api/assistant/chat", json: ["message": "change task \(id)"], headers: attacker.auth)
                #expect(response.status == .ok)
                let actions = try #require(response.json["actions"] as? [[String: Any]])
                #expect(actions.count == 4)
                for action in actions.prefix(3) {
                    #expect((action["result"] as? [String: Any])?["error"] as? String == "not_found")
                }
                #expect(((actions[3]["result"] as? [String: Any])?["tasks"] as? [Any])?.isEmpty == true)
                #expect(response.json["sources"] as? [String] == [])
                let stillThere = try await client.send(.get, "/api/tasks/\(id)", headers: owner.auth)
                #expect(stillThere.json["title"] as? String == "Owner's secret plan")
                #expect(stillThere.json["completed"] as? Bool == false)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func badArgumentsFromTheModelComeBackAsToolErrors(database: TestDatabase) async throws {
        let model = FakeModelServer { turn, _ in
            turn == 0
                ? .toolCalls([
                    ("add_task", #"{"title": "#), ("add_task", #"{"title":"  ","priority":"urgent"}"#), ("add_task", #"{"title":"ok","user_id":"x"}"#),
                    ("list_tasks", #"{"limit":500}"#), ("drop_database", "{}"),
                ])
                : .text("Sorry, I could not.")
        }
        try await model.run { environment in
            try await withApp(database, environment: environment) { client in
                let user = try await client.signUp()
                let response = try await client.send(.post, "/api/assistant/chat", json: ["message": "add a task"], headers: user.auth)
                #expect(response.status == .ok)
                let errors = (response.json["actions"] as? [[String: Any]] ?? []).map { ($0["result"] as? [String: Any])?["error"] as? String }
                #expect(errors == ["invalid_arguments", "validation_failed", "validation_failed", "validation_failed", "unknown_tool"])
                let results = try #require(model.requests.last?.toolResults)
                #expect(results.count == 5)
                #expect(results[1].contains("title") && results[1].contains("priority"))
                #expect(results[2].contains("user_id"))
                let list = try await client.send(.get, "/api/tasks", headers: user.auth)
                #expect((list.json["items"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func aModelThatLoopsOnToolCallsIsStopped(database: TestDatabase) async throws {
        let model = FakeModelServer { _, _ in .toolCalls([("list_tasks", "{}")]) }
        try await model.run { environment in
            try await withApp(database, environment: environment.merging(["ASSISTANT_MAX_TOOL_ROUNDS": "3"]) { $1 }) { client in
                let user = try await client.signUp()
                let response = try await client.send(.post, "/api/assistant/chat", json: ["message": "list forever"], headers: user.auth)
                #expect(response.status == .ok)
                #expect((response.json["actions"] as? [Any])?.count == 3)
                #expect((response.json["reply"] as? String)?.contains("stopped after 3 rounds") == true)
                #expect(model.requests.count == 4)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func upstreamTimeoutsAndFailuresAre502WithoutTheKey(database: TestDatabase) async throws {
        let model = FakeModelServer { turn, _ in
            switch turn {
            case 0: .stall(.seconds(4))
            case 1: .failure(status: 500, message: "model overloaded (gateway key sk-live-very-secret)")
            default: .failure(status: 401, message: "Incorrect API key provided: sk-live-very-secret")
            }
        }
        let environment = ["LLM_TIMEOUT": "1s", "LLM_API_KEY": "sk-live-very-secret"]
        try await model.run { base in
            try await withApp(database, environment: base.merging(environment) { $1 }) { client in
                let user = try await client.signUp()
                let timedOut = try await client.send(.post, "/api/assistant/chat", json: ["message": "hello"], headers: user.auth)
                #expect(timedOut.status == .badGateway)
                #expect(timedOut.problemCode == "assistant_upstream_failed")
                #expect(timedOut.text.contains("LLM_TIMEOUT"))
                let failed = try await client.send(.post, "/api/assistant/chat", json: ["message": "hello"], headers: user.auth)
                #expect(failed.status == .badGateway)
                #expect(failed.text.contains("500") && failed.text.contains("model overloaded"))
                #expect(!failed.text.contains("sk-live"))
                let refused = try await client.send(.post, "/api/assistant/chat", json: ["message": "hello"], headers: user.auth)
                #expect(refused.status == .badGateway)
                #expect(refused.text.contains("LLM_API_KEY"))
                #expect(!refused.text.contains("sk-live"))

                // What was asked is kept, with a note of the failure.
                let list = try await client.send(.get, "/api/assistant/conversations", headers: user.auth)
                let ids = (list.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(ids.count == 3)
                for id in ids {
                    let messages = try await client.send(.get, "/api/assistant/conversations/\(id)", headers: user.auth).json["messages"] as? [[String: Any]]
                    #expect(messages?.first?["content"] as? String == "hello")
                    #expect((messages?.last?["content"] as? String)?.hasPrefix("(No answer: The language model") == true)
                    #expect((messages?.last?["content"] as? String)?.contains("sk-live") == false)
                }
            }
        }
    }

    @Test func eachUserHasTheirOwnMessageAllowance() async throws {
        let model = FakeModelServer { _, _ in .text("Hi.") }
        // The three messages of `busy` must fall in the same window.
        try await startWithinOneRateLimitWindow()
        try await model.run { environment in
            try await withApp(.sqlite, environment: environment.merging(["ASSISTANT_RATE_LIMIT": "2/minute"]) { $1 }) { client in
                let busy = try await client.signUp()
                let other = try await client.signUp()
                for _ in 0..<2 {
                    #expect(try await client.send(.post, "/api/assistant/chat", json: ["message": "hi"], headers: busy.auth).status == .ok)
                }
                let limited = try await client.send(.post, "/api/assistant/chat", json: ["message": "hi"], headers: busy.auth)
                #expect(limited.status == .tooManyRequests)
                #expect(limited.problemCode == "rate_limited")
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(try await client.send(.post, "/api/assistant/chat", json: ["message": "hi"], headers: other.auth).status == .ok)
                #expect(model.requests.count == 3)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func aStreamedFailureEndsWithAnErrorEvent(database: TestDatabase) async throws {
        let model = FakeModelServer { _, _ in .failure(status: 503, message: "try later") }
        try await model.run { environment in
            try await withApp(database, environment: environment) { client in
                let user = try await client.signUp()
                var headers = user.auth
                headers[.accept] = "text/event-stream"
                let response = try await client.send(.post, "/api/assistant/chat", json: ["message": "hello"], headers: headers)
                let events = ServerSentEvent.parse(response.text)
                #expect(events.map(\.name) == ["conversation", "sources", "error"])
                #expect(events.last?.json["code"] as? String == "assistant_upstream_failed")
                #expect(events.last?.json["status"] as? Int == 502)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func chatInputIsValidatedAndConversationsBelongToTheirOwner(database: TestDatabase) async throws {
        let model = FakeModelServer { _, _ in .text("Hi.") }
        try await model.run { environment in
            try await withApp(database, environment: environment) { client in
                let owner = try await client.signUp()
                let stranger = try await client.signUp()
                for body: [String: Any] in [[:], ["message": "  "], ["message": 3], ["message": "hi", "model": "gpt"], ["message": "hi", "conversation_id": "x"]] {
                    let response = try await client.send(.post, "/api/assistant/chat", json: body, headers: owner.auth)
                    #expect(response.status == .unprocessableContent, "\(body)")
                }
                #expect(
                    try await client.send(.post, "/api/assistant/chat", json: ["message": String(repeating: "a", count: 8001)], headers: owner.auth)
                        .status == .unprocessableContent)
                let unknown = try await client.send(
                    .post, "/api/assistant/chat", json: ["message": "hi", "conversation_id": UUID().uuidString], headers: owner.auth)
                #expect(unknown.status == .notFound)

                let first = try await client.send(.post, "/api/assistant/chat", json: ["message": "hello there"], headers: owner.auth)
                let id = try #require(first.json["conversation_id"] as? String)
                #expect(try await client.send(.get, "/api/assistant/conversations/\(id)", headers: stranger.auth).status == .notFound)
                #expect(try await client.send(.delete, "/api/assistant/conversations/\(id)", headers: stranger.auth).status == .notFound)
                let hijack = try await client.send(.post, "/api/assistant/chat", json: ["message": "hi", "conversation_id": id], headers: stranger.auth)
                #expect(hijack.status == .notFound)
                #expect((try await client.send(.get, "/api/assistant/conversations", headers: stranger.auth).json["items"] as? [Any])?.isEmpty == true)

                let listed = try await client.send(.get, "/api/assistant/conversations", headers: owner.auth)
                #expect((listed.json["items"] as? [[String: Any]])?.first?["title"] as? String == "hello there")
                #expect(try await client.send(.delete, "/api/assistant/conversations/\(id)", headers: owner.auth).status == .noContent)
                #expect(try await client.send(.get, "/api/assistant/conversations/\(id)", headers: owner.auth).status == .notFound)
                #expect(try await client.send(.get, "/api/assistant/conversations?limit=0", headers: owner.auth).status == .badRequest)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func embeddingsFindTasksThatShareNoWordWithTheQuestionAndFollowChanges(database: TestDatabase) async throws {
        let model = FakeModelServer { _, _ in .text("ok") }
        try await model.run { environment in
            try await withApp(database, environment: environment.merging(["EMBEDDING_MODEL": "fake-embedding"]) { $1 }) { client in
                let user = try await client.signUp()
                let milk = try await client.createTask(["title": "Pick up milk and eggs"], as: user)
                _ = try await client.createTask(["title": "Call the plumber about the sink"], as: user)
                let first = try await client.send(.post, "/api/assistant/chat", json: ["message": "anything about groceries?"], headers: user.auth)
                #expect(first.json["sources"] as? [String] == [milk])
                #expect(model.embeddedTexts.count == 3)  // two tasks, then the question

                // The changed task is embedded again before the next answer; the unchanged one is not.
                _ = try await client.send(.patch, "/api/tasks/\(milk)", json: ["title": "Book the flight"], headers: user.auth)
                let second = try await client.send(.post, "/api/assistant/chat", json: ["message": "anything about groceries?"], headers: user.auth)
                #expect(second.json["sources"] as? [String] == [])
                #expect(model.embeddedTexts.suffix(2) == ["Book the flight", "anything about groceries?"])
            }
        }
    }
}

/// One Server-Sent Event of a finished stream.
struct ServerSentEvent {
    var name: String
    var data: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:] }

    static func parse(_ text: String) -> [ServerSentEvent] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var name = "message"
            var data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : ServerSentEvent(name: name, data: data.joined(separator: "\n"))
        }
    }
}

extension TestClientProtocol {
    /// Creates a task for `user` and returns its id.
    func createTask(_ body: [String: Any], as user: TestUser) async throws -> String {
        let response = try await send(.post, "/api/tasks", json: body, headers: user.auth)
        guard response.status == .created, let id = response.json["id"] as? String else {
            throw TestFailure("create failed: \(response.status) \(response.text)")
        }
        return id
    }
}

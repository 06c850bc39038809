import Foundation
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import Punchlist

@Suite struct ConversationRestartTests {
    @Test(arguments: TestDatabase.all)
    func aConversationContinuesAfterARestartWithItsHistory(database: TestDatabase) async throws {
        let model = FakeModelServer { turn, _ in .text(turn == 0 ? "Noted: the dentist is on Tuesday." : "You said Tuesday.") }
        try await model.run { modelEnvironment in
            let fresh = try await database.freshEnvironment()
            let settings = try Settings(environment: testDefaults.merging(fresh) { $1 }.merging(modelEnvironment) { $1 })
            var logger = Logger(label: "punchlist-test")
            logger.logLevel = .warning
            let user = Mutex<TestUser?>(nil)
            let conversation = Mutex<String>("")

            try await buildApplication(settings: settings, logger: logger).test(.router) { client in
                let signedUp = try await client.signUp()
                user.withLock { $0 = signedUp }
                let first = try await client.send(.post, "/api/assistant/chat", json: ["message": "My dentist is on Tuesday."], headers: signedUp.auth)
                conversation.withLock { $0 = first.json["conversation_id"] as? String ?? "" }
            }
            // A new process on the same database.
            try await buildApplication(settings: settings, logger: logger).test(.router) { client in
                let signedUp = try #require(user.withLock { $0 })
                let id = conversation.withLock { $0 }
                let stored = try await client.send(.get, "/api/assistant/conversations/\(id)", headers: signedUp.auth)
                #expect((stored.json["messages"] as? [[String: Any]])?.map { $0["content"] as? String } == [
                    "My dentist is on Tuesday.", "Noted: the dentist is on Tuesday.",
                ])
                let next = try await client.send(
                    .post, "/api/assistant/chat", json: ["message": "When is the dentist?", "conversation_id": id], headers: signedUp.auth)
                #expect(next.json["conversation_id"] as? String == id)
                #expect(next.json["reply"] as? String == "You said Tuesday.")
                // The model saw the earlier exchange before the new question.
                let sent = try #require(model.requests.last).messages.map { "\($0["role"] ?? ""): \($0["content"] ?? "")" }
                #expect(sent.suffix(3) == [
                    "user: My dentist is on Tuesday.", "assistant: Noted: the dentist is on Tuesday.", "user: When is the dentist?",
                ])
                let after = try await client.send(.get, "/api/assistant/conversations/\(id)", headers: signedUp.auth)
                #expect((after.json["messages"] as? [Any])?.count == 4)
            }
            await PostgresServer.dropDatabase(in: fresh)
        }
    }
}

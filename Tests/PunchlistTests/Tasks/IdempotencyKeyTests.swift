import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Punchlist

/// `Idempotency-Key` on `POST /api/tasks`: a create sent again, as a client does after a timeout or
/// a 503 whose write may have committed, makes one task, not two.
@Suite struct IdempotencyKeyTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    @Test(arguments: TestDatabase.all)
    func aCreateSentTwiceWithOneKeyMakesOneTaskAndAnswersAlike(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            var headers = user.auth
            headers[Self.key] = "7c1e4b52-9d3a-4c8e-8f2a-4b6d0193a6f2"
            let body = #"{"title":"Pay rent","priority":"high","tags":["home"]}"#
            let first = try await client.execute(uri: "/api/tasks", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(first.status == .created)
            #expect(first.headers[Self.replayed] == nil)
            let id = try #require(first.json["id"] as? String)

            // Changed in between: the repeat still answers what the create answered.
            var ifMatch = user.auth
            ifMatch[.ifMatch] = "\"1\""
            #expect(try await client.send(.patch, "/api/tasks/\(id)", json: ["title": "Pay the rent"], headers: ifMatch).status == .ok)
            // The same JSON written another way is the same request.
            let sameAgain = #"{ "tags": ["home"], "priority": "high", "title": "Pay rent" }"#
            let again = try await client.execute(uri: "/api/tasks", method: .post, headers: headers, body: ByteBuffer(string: sameAgain))
            #expect(again.status == .created)
            #expect(again.headers[Self.replayed] == "true")
            #expect(again.text == first.text)
            #expect(again.headers[.location] == first.headers[.location])
            #expect(again.headers[.eTag] == "\"1\"")

            let items = try #require(try await client.send(.get, "/api/tasks", headers: user.auth).json["items"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? String } == [id])
            #expect(items.first?["title"] as? String == "Pay the rent")

            // A new key is a new task; no key, as before, always is.
            headers[Self.key] = "\"another-key\""
            #expect(try await client.execute(uri: "/api/tasks", method: .post, headers: headers, body: ByteBuffer(string: body)).status == .created)
            #expect(try await client.execute(uri: "/api/tasks", method: .post, headers: user.auth, body: ByteBuffer(string: body)).status == .created)
            let count = try #require(try await client.send(.get, "/api/tasks", headers: user.auth).json["items"] as? [Any]).count
            #expect(count == 3)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aKeyIsRefusedWithAnotherBodyOrAnotherShapeAndBelongsToItsUser(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let (alice, bob) = (try await client.signUp(), try await client.signUp())
            var headers = alice.auth
            headers[Self.key] = "shared-key"
            #expect(try await client.send(.post, "/api/tasks", json: ["title": "Alice's"], headers: headers).status == .created)

            let other = try await client.send(.post, "/api/tasks", json: ["title": "Something else"], headers: headers)
            #expect(other.status == .unprocessableContent)
            #expect(other.problemCode == "idempotency_key_reused")
            #expect(other.headers[.contentType] == "application/problem+json")

            // Bob's key of the same name is his own, and sees nothing of Alice's.
            var bobs = bob.auth
            bobs[Self.key] = "shared-key"
            let his = try await client.send(.post, "/api/tasks", json: ["title": "Alice's"], headers: bobs)
            #expect(his.status == .created)
            #expect(his.headers[Self.replayed] == nil)
            let bobsItems = try #require(try await client.send(.get, "/api/tasks", headers: bob.auth).json["items"] as? [[String: Any]])
            #expect(bobsItems.map { $0["id"] as? String } == [his.json["id"] as? String])

            for bad in ["", "\"\"", String(repeating: "k", count: 256), "two words", "naïve", "\"half"] {
                headers[Self.key] = bad
                let refused = try await client.send(.post, "/api/tasks", json: ["title": "x"], headers: headers)
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(refused.problemCode == "invalid_parameter", "\(bad)")
                #expect((refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "Idempotency-Key", "\(bad)")
            }
            let aliceItems = try #require(try await client.send(.get, "/api/tasks", headers: alice.auth).json["items"] as? [Any])
            #expect(aliceItems.count == 1)
        }
    }

    /// Creates with one key, all at once: one task and one event, and every caller gets its answer.
    @Test(.timeLimit(.minutes(1)), arguments: TestDatabase.all)
    func concurrentCreatesWithOneKeyWriteOneTaskAndOneEvent(database: TestDatabase) async throws {
        try await withStore(database) { store in
            let user = try await makeUser(in: store)
            let key = IdempotencyKey(value: "retry-storm", fingerprint: "same body")
            let outcomes = try await withThrowingTaskGroup(of: KeyedCreation.self) { group in
                for attempt in 0..<12 {
                    group.addTask { try await store.insert(task: makeTask("attempt \(attempt)", for: user), userID: user.id, key: key, now: Date()) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var made: [TaskEvent] = []
            var answers: Set<String> = []
            for outcome in outcomes {
                switch outcome {
                case .created(let events): made += events
                case .earlier(let fingerprint, _, let response):
                    #expect(fingerprint == "same body")
                    answers.insert(response)
                }
            }
            #expect(made.count == 1)
            let created = try #require(made.first?.taskJSON)
            #expect(answers == [created])
            #expect(try await store.events(userID: user.id, after: 0, limit: 100).count == 1)
            #expect(try await store.tasks(userID: user.id, matching: TaskQuery()).items.count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aKeyIsForgottenAfterADay(database: TestDatabase) async throws {
        try await withStore(database) { store in
            let user = try await makeUser(in: store)
            let key = IdempotencyKey(value: "yesterday", fingerprint: "body")
            let then = Date().roundedToMilliseconds - IdempotencyKey.rememberedFor - 60
            guard case .created = try await store.insert(task: makeTask("first", for: user), userID: user.id, key: key, now: then) else {
                Issue.record("the first create found an earlier one")
                return
            }
            let soon = then + IdempotencyKey.rememberedFor - 1
            guard case .earlier = try await store.insert(task: makeTask("again", for: user), userID: user.id, key: key, now: soon) else {
                Issue.record("a key was forgotten within its day")
                return
            }
            guard case .created = try await store.insert(task: makeTask("next day", for: user), userID: user.id, key: key, now: Date()) else {
                Issue.record("a key was remembered past its day")
                return
            }
            #expect(try await store.tasks(userID: user.id, matching: TaskQuery()).items.count == 2)
            // The key was taken over by the last create: the pruner has nothing older than a day to forget.
            #expect(try await store.pruneIdempotencyKeys(olderThan: Date() - IdempotencyKey.rememberedFor) == 0)
            #expect(try await store.pruneIdempotencyKeys(olderThan: Date() + 60) == 1)
        }
    }
}

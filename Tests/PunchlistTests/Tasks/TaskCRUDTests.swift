import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Punchlist

@Suite struct TaskCRUDTests {
    @Test(arguments: TestDatabase.all)
    func createReadUpdateDelete(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let created = try await client.send(.post, "/api/tasks", json: ["title": "  Buy milk ", "tags": ["Home", " home", "Errands"]], headers: user.auth)
            #expect(created.status == .created)
            let task = created.json
            let id = try #require(task["id"] as? String)
            #expect(created.headers[.location] == "/api/tasks/\(id)")
            #expect(created.headers[.eTag] == "\"1\"")
            #expect(task["title"] as? String == "Buy milk")
            #expect(task["description"] as? String == "")
            #expect(task["completed"] as? Bool == false)
            #expect(task["priority"] as? String == "none")
            #expect(task["tags"] as? [String] == ["home", "errands"])
            #expect(task["due_at"] is NSNull)
            #expect(task["recurrence"] is NSNull)
            #expect(task["completed_at"] is NSNull)
            #expect(task["version"] as? Int == 1)
            #expect((task["created_at"] as? String)?.count == 24)
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            #expect(id[id.index(id.startIndex, offsetBy: 14)] == "7")

            let fetched = try await client.send(.get, "/api/tasks/\(id)", headers: user.auth)
            #expect(fetched.status == .ok)
            #expect(fetched.headers[.eTag] == "\"1\"")
            #expect(fetched.json["title"] as? String == "Buy milk")

            let patched = try await client.send(
                .patch, "/api/tasks/\(id)",
                json: ["priority": "high", "due_at": "2030-01-02T03:04:05.6789+02:00", "recurrence": "weekly", "completed": true],
                headers: user.auth)
            #expect(patched.status == .ok)
            #expect(patched.json["priority"] as? String == "high")
            #expect(patched.json["due_at"] as? String == "2030-01-02T01:04:05.678Z")
            #expect(patched.json["completed"] as? Bool == true)
            #expect(patched.json["completed_at"] as? String != nil)
            #expect(patched.json["version"] as? Int == 2)
            #expect(patched.headers[.eTag] == "\"2\"")

            let cleared = try await client.send(.patch, "/api/tasks/\(id)", json: ["due_at": NSNull(), "recurrence": NSNull()], headers: user.auth)
            #expect(cleared.json["due_at"] is NSNull)
            #expect(cleared.json["recurrence"] is NSNull)

            let unchanged = try await client.send(.patch, "/api/tasks/\(id)", json: [:] as [String: Any], headers: user.auth)
            #expect(unchanged.json["version"] as? Int == 3)

            #expect(try await client.send(.delete, "/api/tasks/\(id)", headers: user.auth).status == .noContent)
            let gone = try await client.send(.get, "/api/tasks/\(id)", headers: user.auth)
            #expect(gone.status == .notFound)
            #expect(gone.problemCode == "not_found")
        }
    }

    @Test(arguments: TestDatabase.all)
    func invalidBodiesNameEveryOffendingField(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let response = try await client.send(
                .post, "/api/tasks",
                json: [
                    "title": "   ", "priority": "urgent", "tags": Array(repeating: "t", count: 21), "due_at": "tomorrow", "recurrence": "hourly",
                    "colour": "red", "completed": "yes",
                ], headers: user.auth)
            #expect(response.status == .unprocessableContent)
            #expect(response.problemCode == "validation_failed")
            let fields = Set((response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["title", "priority", "tags", "due_at", "recurrence", "colour", "completed"])

            let long = try await client.send(
                .post, "/api/tasks", json: ["title": String(repeating: "x", count: 501), "tags": ["ok", "", String(repeating: "y", count: 41)]],
                headers: user.auth)
            let longFields = Set((long.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(longFields == ["title", "tags[1]", "tags[2]"])

            let missing = try await client.send(.post, "/api/tasks", json: ["description": "no title"], headers: user.auth)
            #expect((missing.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "title")
            let notObject = try await client.send(.post, "/api/tasks", json: ["a list"], headers: user.auth)
            #expect(notObject.status == .unprocessableContent)

            let id = try #require(try await client.send(.post, "/api/tasks", json: ["title": "ok"], headers: user.auth).json["id"] as? String)
            let nullTitle = try await client.send(.patch, "/api/tasks/\(id)", json: ["title": NSNull()], headers: user.auth)
            #expect(nullTitle.status == .unprocessableContent)
        }
    }

    @Test(arguments: TestDatabase.all)
    func ifMatchGuardsAgainstLostUpdates(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let id = try #require(try await client.send(.post, "/api/tasks", json: ["title": "shared"], headers: user.auth).json["id"] as? String)
            var headers = user.auth
            headers[.ifMatch] = "\"1\""
            #expect(try await client.send(.patch, "/api/tasks/\(id)", json: ["title": "first"], headers: headers).status == .ok)
            let stale = try await client.send(.patch, "/api/tasks/\(id)", json: ["title": "second"], headers: headers)
            #expect(stale.status == .preconditionFailed)
            #expect(stale.problemCode == "version_mismatch")
            #expect(try await client.send(.get, "/api/tasks/\(id)", headers: user.auth).json["title"] as? String == "first")
            #expect(try await client.send(.delete, "/api/tasks/\(id)", headers: headers).status == .preconditionFailed)
            headers[.ifMatch] = "*"
            #expect(try await client.send(.patch, "/api/tasks/\(id)", json: ["title": "any"], headers: headers).status == .ok)
            headers[.ifMatch] = "banana"
            #expect(try await client.send(.patch, "/api/tasks/\(id)", json: ["title": "x"], headers: headers).status == .badRequest)
            headers[.ifMatch] = "3"
            #expect(try await client.send(.delete, "/api/tasks/\(id)", headers: headers).status == .noContent)
        }
    }

    @Test(arguments: TestDatabase.all)
    func anotherUsersTaskDoesNotExist(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let owner = try await client.signUp()
            let stranger = try await client.signUp()
            let id = try #require(
                try await client.send(.post, "/api/tasks", json: ["title": "secret plan", "tags": ["private"]], headers: owner.auth).json["id"]
                    as? String)
            #expect(try await client.send(.get, "/api/tasks/\(id)", headers: stranger.auth).status == .notFound)
            #expect(try await client.send(.patch, "/api/tasks/\(id)", json: ["title": "mine"], headers: stranger.auth).status == .notFound)
            #expect(try await client.send(.delete, "/api/tasks/\(id)", headers: stranger.auth).status == .notFound)
            for query in ["", "?q=secret", "?tag=private", "?status=open"] {
                let list = try await client.send(.get, "/api/tasks\(query)", headers: stranger.auth)
                #expect((list.json["items"] as? [Any])?.isEmpty == true, "\(query)")
            }
            let export = try await client.send(.get, "/api/tasks/export", headers: stranger.auth)
            #expect(export.text.isEmpty)
            #expect(try await client.send(.get, "/api/tasks/\(id)", headers: owner.auth).json["title"] as? String == "secret plan")
            #expect(try await client.send(.get, "/api/tasks/not-a-uuid", headers: owner.auth).status == .notFound)
            #expect(try await client.send(.get, "/api/tasks").status == .unauthorized)
        }
    }
}

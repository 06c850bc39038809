import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Punchlist

@Suite struct TaskTransferTests {
    @Test(arguments: TestDatabase.all)
    func exportThenImportRoundTrips(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let source = try await client.signUp()
            _ = try await TaskListTests.create(
                [["title": "one", "tags": ["a"]], ["title": "two", "completed": true, "due_at": "2030-01-01T00:00:00Z"], ["title": "three"]],
                client: client, user: source)
            let export = try await client.send(.get, "/api/tasks/export", headers: source.auth)
            #expect(export.status == .ok)
            #expect(export.headers[.contentType] == "application/x-ndjson")
            let lines = export.text.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }.map { $0["title"] as? String } == ["one", "two", "three"])

            let target = try await client.signUp()
            var headers = target.auth
            headers[.contentType] = "application/x-ndjson"
            let imported = try await client.execute(uri: "/api/tasks/import", method: .post, headers: headers, body: ByteBuffer(string: export.text))
            #expect(imported.status == .ok)
            #expect(imported.json["created"] as? Int == 3)
            #expect((imported.json["errors"] as? [Any])?.isEmpty == true)
            let list = try await client.send(.get, "/api/tasks?sort=title", headers: target.auth)
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["title"] as? String } == ["one", "three", "two"])
            #expect(items.last?["completed"] as? Bool == true)
            #expect(items.last?["completed_at"] as? String != nil)
            #expect(Set(items.compactMap { $0["id"] as? String }).isDisjoint(with: lines.map { String($0) }.compactMap { line in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["id"] as? String
            }))
        }
    }

    @Test(arguments: TestDatabase.all)
    func importIsAllOrNothingUnlessPartial(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let body: [Any] = [["title": "good"], ["title": ""], ["title": "also good"], ["oops": true]]
            let refused = try await client.send(.post, "/api/tasks/import", json: body, headers: user.auth)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.problemCode == "import_invalid")
            #expect(refused.json["created"] as? Int == 0)
            let lines = (refused.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
            #expect(lines == [2, 4])
            #expect(((try await client.send(.get, "/api/tasks", headers: user.auth)).json["items"] as? [Any])?.isEmpty == true)

            let partial = try await client.send(.post, "/api/tasks/import?partial=true", json: body, headers: user.auth)
            #expect(partial.status == .ok)
            #expect(partial.json["created"] as? Int == 2)
            #expect((partial.json["errors"] as? [[String: Any]])?.count == 2)
            #expect(((try await client.send(.get, "/api/tasks", headers: user.auth)).json["items"] as? [Any])?.count == 2)

            var headers = user.auth
            headers[.contentType] = "application/x-ndjson"
            let ndjson = "{\"title\":\"a\"}\n\nnot json\n{\"title\":\"b\"}\n"
            let mixed = try await client.execute(uri: "/api/tasks/import", method: .post, headers: headers, body: ByteBuffer(string: ndjson))
            #expect(mixed.status == .unprocessableContent)
            #expect((mixed.json["errors"] as? [[String: Any]])?.first?["line"] as? Int == 3)
        }
    }

    @Test func importRefusesMoreThanTenThousandTasks() async throws {
        try await withApp(.sqlite) { client in
            let user = try await client.signUp()
            var headers = user.auth
            headers[.contentType] = "application/x-ndjson"
            let body = String(repeating: "{\"title\":\"x\"}\n", count: 10_001)
            let response = try await client.execute(uri: "/api/tasks/import", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(response.status == .unprocessableContent)
            #expect(response.problemCode == "too_many_tasks")
        }
    }
}

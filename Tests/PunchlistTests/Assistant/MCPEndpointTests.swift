import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Punchlist

/// `/mcp` at the HTTP level; the official Python client drives it in CI (scripts/ci.d/60-mcp-client).
@Suite struct MCPEndpointTests {
    static func rpc(_ method: String, id: Int? = 1, params: [String: Any] = [:]) -> [String: Any] {
        var message: [String: Any] = ["jsonrpc": "2.0", "method": method, "params": params]
        if let id { message["id"] = id }
        return message
    }

    static func headers(_ user: TestUser) -> HTTPFields {
        var headers = user.auth
        headers[.accept] = "application/json, text/event-stream"
        return headers
    }

    @Test(arguments: TestDatabase.all)
    func toolsWorkWithoutALanguageModelForTheTokensUserOnly(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let owner = try await client.signUp()
            let other = try await client.signUp()
            let initialize = try await client.send(
                .post, "/mcp",
                json: Self.rpc(
                    "initialize", params: ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"]]),
                headers: Self.headers(owner))
            #expect(initialize.status == .ok)
            #expect(((initialize.json["result"] as? [String: Any])?["serverInfo"] as? [String: Any])?["name"] as? String == "punchlist")
            let initialized = try await client.send(.post, "/mcp", json: Self.rpc("notifications/initialized", id: nil), headers: Self.headers(owner))
            #expect(initialized.status == .accepted)

            let list = try await client.send(.post, "/mcp", json: Self.rpc("tools/list", id: 2), headers: Self.headers(owner))
            let tools = ((list.json["result"] as? [String: Any])?["tools"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(Set(tools) == ["add_task", "list_tasks", "search_tasks", "update_task", "complete_task", "delete_task"])

            let add = try await client.send(
                .post, "/mcp", json: Self.rpc("tools/call", id: 3, params: ["name": "add_task", "arguments": ["title": "From an agent", "priority": "high"]]),
                headers: Self.headers(owner))
            let result = try #require(add.json["result"] as? [String: Any])
            #expect(result["isError"] as? Bool == false)
            let task = try #require(result["structuredContent"] as? [String: Any])
            let id = try #require(task["id"] as? String)
            let rest = try await client.send(.get, "/api/tasks/\(id)", headers: owner.auth)
            #expect(rest.json["title"] as? String == "From an agent")
            #expect(rest.json["priority"] as? String == "high")

            // Another user's token reaches none of it; bad arguments are a tool error, not a failure.
            let steal = try await client.send(
                .post, "/mcp", json: Self.rpc("tools/call", id: 4, params: ["name": "delete_task", "arguments": ["id": id]]), headers: Self.headers(other))
            #expect((steal.json["result"] as? [String: Any])?["isError"] as? Bool == true)
            #expect(try await client.send(.get, "/api/tasks/\(id)", headers: owner.auth).status == .ok)
            let bad = try await client.send(
                .post, "/mcp", json: Self.rpc("tools/call", id: 5, params: ["name": "add_task", "arguments": ["title": 7]]), headers: Self.headers(owner))
            #expect((bad.json["result"] as? [String: Any])?["isError"] as? Bool == true)
            #expect(String(describing: bad.json["result"]).contains("validation_failed"))

            let anonymous = try await client.send(.post, "/mcp", json: Self.rpc("tools/list"), headers: [.accept: "application/json, text/event-stream"])
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")
            let get = try await client.send(.get, "/mcp", headers: Self.headers(owner))
            #expect(get.status == .methodNotAllowed)
        }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Punchlist

@Suite struct TaskListTests {
    /// Creates tasks and returns their ids in creation order.
    static func create(_ bodies: [[String: Any]], client: some TestClientProtocol, user: TestUser) async throws -> [String] {
        var ids: [String] = []
        for body in bodies {
            let response = try await client.send(.post, "/api/tasks", json: body, headers: user.auth)
            guard response.status == .created, let id = response.json["id"] as? String else { throw TestFailure("create failed: \(response.text)") }
            ids.append(id)
        }
        return ids
    }

    /// The items of every page of a list, following `next_cursor` (40 pages at most); `between`
    /// runs after each page with its number.
    static func everyPage(
        _ client: some TestClientProtocol, _ user: TestUser, _ query: String, between: (Int) async throws -> Void = { _ in }
    ) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String?
        var page = 0
        repeat {
            let response = try await client.send(.get, "/api/tasks?\(query)" + (cursor.map { "&cursor=\($0)" } ?? ""), headers: user.auth)
            guard response.status == .ok else { throw TestFailure("\(query), page \(page): \(response.status) \(response.text)") }
            items += response.json["items"] as? [[String: Any]] ?? []
            cursor = response.json["next_cursor"] as? String
            try await between(page)
            page += 1
        } while cursor != nil && page < 40
        return items
    }

    static func titles(_ client: some TestClientProtocol, _ user: TestUser, _ query: String) async throws -> [String] {
        let response = try await client.send(.get, "/api/tasks?\(query)", headers: user.auth)
        guard response.status == .ok else { throw TestFailure("\(query): \(response.status) \(response.text)") }
        return (response.json["items"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
    }

    @Test(arguments: TestDatabase.all)
    func filtersCombine(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            _ = try await Self.create(
                [
                    ["title": "pay rent", "priority": "high", "tags": ["home", "money"], "due_at": "2020-01-01T00:00:00Z"],
                    ["title": "water plants", "priority": "low", "tags": ["home"], "due_at": "2099-01-01T00:00:00Z"],
                    ["title": "file taxes", "priority": "high", "tags": ["money"], "completed": true, "due_at": "2020-02-01T00:00:00Z"],
                    ["title": "read a book", "description": "something about plants"],
                ], client: client, user: user)
            #expect(try await Self.titles(client, user, "status=open&sort=title").count == 3)
            #expect(try await Self.titles(client, user, "status=completed") == ["file taxes"])
            #expect(try await Self.titles(client, user, "priority=high&sort=title") == ["file taxes", "pay rent"])
            #expect(try await Self.titles(client, user, "tag=home&tag=money") == ["pay rent"])
            #expect(try await Self.titles(client, user, "tag=HOME&sort=title") == ["pay rent", "water plants"])
            #expect(try await Self.titles(client, user, "overdue=true") == ["pay rent"])
            #expect(try await Self.titles(client, user, "due_before=2021-01-01T00:00:00Z&sort=title") == ["file taxes", "pay rent"])
            #expect(try await Self.titles(client, user, "due_after=2021-01-01T00:00:00%2B01:00") == ["water plants"])
            #expect(try await Self.titles(client, user, "q=rent") == ["pay rent"])
            #expect(try await Self.titles(client, user, "q=plan") == ["water plants", "read a book"])
            #expect(Set(try await Self.titles(client, user, "q=money")) == ["file taxes", "pay rent"])
            #expect(try await Self.titles(client, user, "q=plants&status=open&tag=home") == ["water plants"])
            #expect(try await Self.titles(client, user, "q=nothing-like-it").isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func searchRanksTitleMatchesFirst(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            _ = try await Self.create(
                [["title": "call the bank", "description": "about the garden loan"], ["title": "garden", "description": "weed the beds"]],
                client: client, user: user)
            #expect(try await Self.titles(client, user, "q=garden") == ["garden", "call the bank"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func searchIgnoresDiacriticsInTasksAndInTheQuery(database: TestDatabase) async throws {
        // The same on both databases: SQLite's tokenizer folds accents, PostgreSQL's text is folded by Punchlist.
        try await withApp(database) { client in
            let user = try await client.signUp()
            let ids = try await Self.create(
                [["title": "Café crème"], ["title": "plan", "tags": ["résumé"]], ["title": "ordinary", "description": "a naïve façade"]],
                client: client, user: user)
            #expect(try await Self.titles(client, user, "q=cafe") == ["Café crème"])
            #expect(try await Self.titles(client, user, "q=CRÈME") == ["Café crème"])
            #expect(try await Self.titles(client, user, "q=resume") == ["plan"])
            #expect(try await Self.titles(client, user, "q=facade%20naive") == ["ordinary"])
            // A change is indexed the same way.
            let renamed = try await client.send(.patch, "/api/tasks/\(ids[1])", json: ["title": "Crème brûlée"], headers: user.auth)
            #expect(renamed.status == .ok)
            #expect(try await Self.titles(client, user, "q=brulee") == ["Crème brûlée"])
            #expect(Set(try await Self.titles(client, user, "q=creme")) == ["Café crème", "Crème brûlée"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func everySortAndOrder(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            _ = try await Self.create(
                [
                    ["title": "banana", "priority": "low", "due_at": "2030-03-01T00:00:00Z"],
                    ["title": "Apple", "priority": "high"],
                    ["title": "cherry", "priority": "medium", "due_at": "2030-01-01T00:00:00Z"],
                    ["title": "date", "priority": "none"],
                ], client: client, user: user)
            #expect(try await Self.titles(client, user, "") == ["date", "cherry", "Apple", "banana"])
            #expect(try await Self.titles(client, user, "sort=created_at&order=asc") == ["banana", "Apple", "cherry", "date"])
            #expect(try await Self.titles(client, user, "sort=title") == ["Apple", "banana", "cherry", "date"])
            #expect(try await Self.titles(client, user, "sort=title&order=desc") == ["date", "cherry", "banana", "Apple"])
            #expect(try await Self.titles(client, user, "sort=priority") == ["Apple", "cherry", "banana", "date"])
            #expect(try await Self.titles(client, user, "sort=priority&order=asc") == ["date", "banana", "cherry", "Apple"])
            // Tasks without a due date come last in both directions.
            let dueAscending = try await Self.titles(client, user, "sort=due_at&order=asc")
            #expect(Array(dueAscending.prefix(2)) == ["cherry", "banana"])
            #expect(Set(dueAscending.suffix(2)) == ["Apple", "date"])
            let dueDescending = try await Self.titles(client, user, "sort=due_at")
            #expect(Array(dueDescending.prefix(2)) == ["banana", "cherry"])
            #expect(Set(dueDescending.suffix(2)) == ["Apple", "date"])
            _ = try await client.send(.patch, "/api/tasks/\(try await firstID(client, user, "sort=title"))", json: ["title": "Apricot"], headers: user.auth)
            #expect(try await Self.titles(client, user, "sort=updated_at").first == "Apricot")
        }
    }

    func firstID(_ client: some TestClientProtocol, _ user: TestUser, _ query: String) async throws -> String {
        let response = try await client.send(.get, "/api/tasks?\(query)", headers: user.auth)
        return (response.json["items"] as? [[String: Any]])?.first?["id"] as? String ?? ""
    }

    @Test(arguments: TestDatabase.all, ["created_at", "due_at", "priority", "title", "updated_at"])
    func pagingVisitsEveryTaskOnceWhileTasksComeAndGo(database: TestDatabase, sort: String) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            var bodies: [[String: Any]] = []
            for index in 0..<23 {
                var body: [String: Any] = ["title": "task \(index % 5)", "priority": ["none", "low", "high"][index % 3]]
                if index % 4 != 0 { body["due_at"] = "2030-01-0\(index % 9 + 1)T00:00:00Z" }
                bodies.append(body)
            }
            let lasting = Set(try await Self.create(bodies, client: client, user: user))
            let doomed = try await Self.create((0..<6).map { ["title": "doomed \($0)", "due_at": "2030-01-05T00:00:00Z"] }, client: client, user: user)
            let seen = try await Self.everyPage(client, user, "sort=\(sort)&limit=4") { page in
                // Between pages, the list changes under the reader.
                if page < doomed.count { _ = try await client.send(.delete, "/api/tasks/\(doomed[page])", headers: user.auth) }
                _ = try await client.send(.post, "/api/tasks", json: ["title": "newcomer \(page)", "due_at": "2030-01-03T00:00:00Z"], headers: user.auth)
            }.compactMap { $0["id"] as? String }
            #expect(Set(seen).count == seen.count, "a task came twice")
            #expect(lasting.isSubset(of: Set(seen)), "a task that existed throughout was skipped")
        }
    }

    @Test(arguments: TestDatabase.all)
    func searchResultsPageInTheOrderOfOnePage(database: TestDatabase) async throws {
        // Relevance cursors carry the search score: paging must give the one-page order, each task once.
        try await withApp(database) { client in
            let user = try await client.signUp()
            var bodies: [[String: Any]] = (0..<4).map { ["title": "garden \($0)"] }
            bodies += (0..<4).map { ["title": "chore \($0)", "description": "the garden, then the garden shed"] }
            bodies += (0..<3).map { ["title": "errand \($0)", "tags": ["garden"]] }
            bodies.append(["title": "unrelated"])
            _ = try await Self.create(bodies, client: client, user: user)
            let whole = try await Self.titles(client, user, "q=garden&limit=50")
            #expect(whole.count == 11)
            let paged = try await Self.everyPage(client, user, "q=garden&limit=3").compactMap { $0["title"] as? String }
            #expect(paged == whole)
        }
    }

    @Test(arguments: TestDatabase.all)
    func badParametersAndTamperedCursorsAre400(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            _ = try await Self.create((0..<3).map { ["title": "t\($0)"] }, client: client, user: user)
            let first = try await client.send(.get, "/api/tasks?limit=1", headers: user.auth)
            let cursor = try #require(first.json["next_cursor"] as? String)
            #expect(try await client.send(.get, "/api/tasks?limit=1&cursor=\(cursor)", headers: user.auth).status == .ok)
            var tampered = Array(cursor)
            tampered[3] = tampered[3] == "A" ? "B" : "A"
            for query in [
                "cursor=\(String(tampered))", "cursor=garbage", "cursor=\(cursor)&sort=title", "limit=0", "limit=201", "limit=ten",
                "status=done", "priority=urgent", "sort=colour", "order=up", "due_before=yesterday", "overdue=maybe",
            ] {
                let response = try await client.send(.get, "/api/tasks?\(query)", headers: user.auth)
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            let bad = try await client.send(.get, "/api/tasks?cursor=garbage", headers: user.auth)
            #expect(bad.problemCode == "invalid_cursor")
        }
    }
}

import Foundation
import PostgresNIO
import Testing

@testable import Punchlist

/// PostgreSQL's search text is folded by Punchlist (``PostgresSearch``); the route-level behaviour,
/// on both databases, is in `TaskListTests.searchIgnoresDiacriticsInTasksAndInTheQuery`.
@Suite struct PostgresSearchTests {
    @Test func foldingDropsDiacriticsAndKeepsEverythingElse() {
        #expect(PostgresSearch.folded("Crème Brûlée, naïve façade") == "Creme Brulee, naive facade")
        #expect(PostgresSearch.folded("plain ASCII 42") == "plain ASCII 42")
        #expect(PostgresSearch.folded("日本語") == "日本語")
        #expect(PostgresSearch.foldedTags(["résumé", "été"]) == "resume ete")
    }

    @Test(.enabled(if: TestDatabase.all.contains(.postgres)))
    func tasksIndexedBeforeFoldingAreFoldedAtTheNextStart() async throws {
        try await withStore(.postgres) { store in
            let postgres = try #require(store as? PostgresStore)
            let user = try await makeUser(in: store)
            _ = try await store.insert(tasks: [makeTask("Café au lait", for: user)], userID: user.id)
            // As an earlier version indexed it: the title as written, accents kept.
            try await postgres.client.query("UPDATE tasks SET search = setweight(to_tsvector('simple', title), 'A')")
            try await postgres.client.query("DELETE FROM schema_migrations WHERE version = \(PostgresSearch.refoldedVersion)")
            var query = TaskQuery()
            query.searchWords = ["cafe"]
            #expect(try await store.tasks(userID: user.id, matching: query).items.isEmpty)
            try await store.migrate()
            #expect(try await store.tasks(userID: user.id, matching: query).items.map(\.title) == ["Café au lait"])
        }
    }
}

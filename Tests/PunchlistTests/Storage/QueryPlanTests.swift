import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing

@testable import Punchlist

/// Every list the API can ask for is served by an index: never a full scan of the tasks table, and
/// for a single sort without other filters, no sort step either (the index gives the order). With
/// several filters at once the planner may rightly prefer the narrowest index and sort what it finds.
@Suite struct QueryPlanTests {
    static var queries: [(String, TaskQuery)] {
        var result: [(String, TaskQuery)] = []
        for sort in TaskQuery.SortField.allCases where sort != .relevance {
            for descending in [true, false] {
                var query = TaskQuery()
                query.sort = sort
                query.descending = descending
                result.append(("sort=\(sort.rawValue)&desc=\(descending)", query))
                var paged = query
                paged.after = TaskQuery.Position(value: Self.sampleValue(sort), id: UUID())
                result.append(("sort=\(sort.rawValue)&desc=\(descending)&cursor", paged))
            }
        }
        var filtered = TaskQuery()
        filtered.status = .open
        filtered.priority = .high
        filtered.tags = ["home"]
        filtered.dueBefore = Date()
        result.append(("filters (may sort)", filtered))
        var overdue = TaskQuery()
        overdue.overdueBefore = Date()
        overdue.sort = .dueAt
        overdue.descending = false
        result.append(("overdue", overdue))
        return result
    }

    static func sampleValue(_ sort: TaskQuery.SortField) -> TaskQuery.SortValue {
        switch sort {
        case .createdAt, .updatedAt, .dueAt: .date(Date())
        case .priority: .integer(2)
        case .title: .text("m")
        case .relevance: .score(1)
        }
    }

    @Test func sqliteListsUseIndexesInOrder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID())")
        let store = try SQLiteStore(path: directory.appendingPathComponent("plans.sqlite").path)
        try await store.migrate()
        for (name, query) in Self.queries {
            for statement in TaskListSQL(query: query, userID: UUID(), dialect: .sqlite).statements {
                let plan = try await store.pool.read { db in
                    try Row.fetchAll(
                        db, sql: "EXPLAIN QUERY PLAN " + statement.sql,
                        arguments: StatementArguments(statement.binds.map(\.sqliteValue) + [51] as [(any DatabaseValueConvertible)?])
                    ).map { $0["detail"] as String }
                }
                #expect(!plan.contains { $0.hasPrefix("SCAN tasks") }, "\(name): \(plan)")
                if !name.contains("may sort") {
                    #expect(!plan.contains { $0.contains("TEMP B-TREE FOR ORDER BY") }, "\(name): \(plan)")
                }
            }
        }
        try await store.shutdown()
    }

    @Test(.enabled(if: TestDatabase.all.contains(.postgres)))
    func postgresListsUseIndexesInOrder() async throws {
        try await withStore(.postgres) { store in
            let store = try #require(store as? PostgresStore)
            for (name, query) in Self.queries {
                for statement in TaskListSQL(query: query, userID: UUID(), dialect: .postgres).statements {
                    let plan = try await store.client.withConnection { connection in
                        // An empty table is cheapest to scan; forbid that to see which index would serve the query.
                        try await connection.query("SET enable_seqscan = off", logger: Logger(label: "plan"))
                        return try await store.explain(statement, limit: 51, on: connection)
                    }
                    #expect(!plan.contains("Seq Scan on tasks"), "\(name): \(plan)")
                    if !name.contains("may sort") { #expect(!plan.contains("Sort"), "\(name): \(plan)") }
                }
            }
        }
    }
}

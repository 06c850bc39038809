import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

@testable import Punchlist

/// A PostgreSQL database whose `default_transaction_isolation` is stricter than READ COMMITTED
/// turns one of two concurrent writes of a user away (SQLSTATE 40001: both bump the user's event
/// counter). Those writes are tried again (``PostgresConflict``), so the user sees every change made
/// and no error; before, each one turned away was a 500.
@Suite struct ConflictRetryTests {
    @Test(.timeLimit(.minutes(2)), arguments: ["repeatable read", "serializable"])
    func concurrentWritesOfOneUserAllLandUnderStricterIsolation(isolation: String) async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        let url = try await PostgresServer.freshDatabase()
        let environment = ["DATABASE_URL": url]
        let name = String(try #require(URLComponents(string: url)).path.dropFirst())
        try await PostgresServer.withAdminConnection { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER DATABASE \(name) SET default_transaction_isolation TO '\(isolation)'"), logger: Logger(label: "test"))
        }
        do {
            try await withApp(.postgres, environment: environment) { client in
                let user = try await client.signUp()
                let shared = try await client.send(.post, "/api/tasks", json: ["title": "Shared"], headers: user.auth)
                let id = try #require(shared.json["id"] as? String)

                let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                    for n in 0..<10 {
                        group.addTask {
                            let response = try await client.send(.post, "/api/tasks", json: ["title": "Task \(n)"], headers: user.auth)
                            return (response.status, response.problemCode)
                        }
                        group.addTask {
                            let response = try await client.send(.patch, "/api/tasks/\(id)", json: ["description": "edit \(n)"], headers: user.auth)
                            return (response.status, response.problemCode)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.filter { $0.0 == .created }.count == 10, "\(answers)")
                #expect(answers.filter { $0.0 == .ok }.count == 10, "\(answers)")

                let items = try #require(try await client.send(.get, "/api/tasks?limit=50", headers: user.auth).json["items"] as? [[String: Any]])
                #expect(items.count == 11)
                let task = try await client.send(.get, "/api/tasks/\(id)", headers: user.auth)
                #expect(task.json["version"] as? Int == 11)
            }
        } catch {
            await PostgresServer.dropDatabase(in: environment)
            throw error
        }
        await PostgresServer.dropDatabase(in: environment)
    }

    @Test func onlySerializationFailuresAndDeadlocksAreTriedAgain() {
        #expect(PostgresConflict.isConflict(sqlState: "40001"))
        #expect(PostgresConflict.isConflict(sqlState: "40P01"))
        // A broken constraint, a cancelled query or an outage is not a conflict: trying again would not help, or is decided elsewhere.
        for other in ["23505", "57014", "57P01", "08006", "40003"] { #expect(!PostgresConflict.isConflict(sqlState: other), "\(other)") }
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Punchlist

/// Generated inputs: whatever a client sends to the task routes, the answer is never a 5xx and
/// an error is always a problem document. (Schemathesis does the same from the OpenAPI document in CI.)
@Suite struct GeneratedInputTests {
    /// A small deterministic generator, so a failure can be replayed from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    static let fields = ["title", "description", "completed", "priority", "tags", "due_at", "recurrence", "id", "version", "colour", ""]
    static var samples: [Any] { [
        "", " ", "x", String(repeating: "é", count: 501), "\u{0}", "2026-02-30T00:00:00Z", "2026-11-21T20:45:25.123+14:00", "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z", "high", "monthly", "none", 0, -1, 1e308, Int.max, true, false, NSNull(), [String](), ["a", "A", " a "],
        Array(repeating: "t", count: 25), ["x": 1], [1, 2], "💥🙂", "'; DROP TABLE tasks; --",
    ] }

    static func value(_ random: inout Generator) -> Any { samples[Int(random.next() % UInt64(samples.count))] }

    static func body(_ random: inout Generator) -> Any {
        if random.next() % 10 == 0 { return value(&random) }
        var object: [String: Any] = [:]
        for _ in 0..<Int(random.next() % 5) { object[fields[Int(random.next() % UInt64(fields.count))]] = value(&random) }
        return object
    }

    static func query(_ random: inout Generator) -> String {
        let keys = ["status", "priority", "tag", "q", "due_before", "due_after", "overdue", "sort", "order", "limit", "cursor", "partial"]
        let values = ["open", "high", "x", "%00", "2026-01-01T00:00:00Z", "true", "due_at", "desc", "0", "201", "abc.def", "%E2%9C%93", "", "-1"]
        return (0..<Int(random.next() % 5)).map { _ in
            "\(keys[Int(random.next() % UInt64(keys.count))])=\(values[Int(random.next() % UInt64(values.count))])"
        }.joined(separator: "&")
    }

    @Test(arguments: TestDatabase.all)
    func noGeneratedRequestGetsAServerError(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let id = try #require(try await client.send(.post, "/api/tasks", json: ["title": "target"], headers: user.auth).json["id"] as? String)
            var random = Generator(state: 7860)
            for round in 0..<250 {
                let body = Self.body(&random)
                let requests: [(HTTPRequest.Method, String)] = [
                    (.post, "/api/tasks"), (.patch, "/api/tasks/\(id)"), (.get, "/api/tasks?\(Self.query(&random))"),
                    (.post, "/api/tasks/import?\(Self.query(&random))"),
                ]
                let (method, uri) = requests[round % requests.count]
                let payload = method == .get ? nil : (uri.contains("import") ? [body, body] : body)
                let response = try await client.send(method, uri, json: payload, headers: user.auth)
                #expect(response.status.code < 500, "round \(round): \(method) \(uri) \(String(describing: payload)) -> \(response.text)")
                if response.status.code >= 400 {
                    #expect(response.headers[.contentType] == "application/problem+json", "round \(round)")
                }
            }
        }
    }
}

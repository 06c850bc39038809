import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Punchlist

@Suite struct ErrorResponseTests {
    @Test func unknownRouteIsAProblemDocument() async throws {
        try await withApp(.sqlite) { client in
            try await client.execute(uri: "/no/such/thing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = response.body.jsonObject
                #expect(problem["code"] as? String == "not_found")
                #expect(problem["status"] as? Int == 404)
                #expect(problem["type"] as? String == "about:blank")
                #expect(problem["title"] as? String == "Not Found")
            }
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await withApp(.sqlite) { client in
            try await client.execute(uri: "/health", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.allow]?.contains("GET") == true)
                #expect(response.body.jsonObject["code"] as? String == "method_not_allowed")
            }
        }
    }

    @Test func everyResponseCarriesARequestIDAndASaneClientIDIsKept() async throws {
        try await withApp(.sqlite) { client in
            try await client.execute(uri: "/health", method: .get, headers: [.requestID: "abc-123"]) { response in
                #expect(response.headers[.requestID] == "abc-123")
            }
            try await client.execute(uri: "/nothing", method: .get, headers: [.requestID: "bad id\u{7f}with spaces"]) { response in
                let id = try #require(response.headers[.requestID])
                #expect(id != "bad id\u{7f}with spaces")
                #expect(!id.isEmpty)
            }
        }
    }
}

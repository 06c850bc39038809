import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A signed-up test user.
struct TestUser: Sendable {
    var id: String
    var email: String
    var token: String
    var password: String

    var auth: HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }
}

extension TestClientProtocol {
    /// Sends a JSON body (any JSON-serialisable value) and returns the response.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, json: Any? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        return try await execute(uri: uri, method: method, headers: headers, body: body)
    }

    /// Asks `/ready` the way an orchestrator does: again, a few times, until it answers 200.
    /// The route gives the database one second; a full parallel test run on two cores can hold
    /// a first connection back longer than that, and a probe that misses is simply asked again.
    func readiness(attempts: Int = 10) async throws -> TestResponse {
        var response = try await send(.get, "/ready")
        for _ in 1..<attempts where response.status != .ok {
            try await Task.sleep(for: .milliseconds(200))
            response = try await send(.get, "/ready")
        }
        return response
    }

    /// Signs up a new user with a unique email.
    func signUp(email: String? = nil, password: String = "correct horse battery", name: String = "Test") async throws -> TestUser {
        let email = email ?? "user-\(UUID().uuidString.prefix(8))@example.com"
        let response = try await send(.post, "/api/auth/signup", json: ["email": email, "password": password, "name": name])
        guard response.status == .created else { throw TestFailure("signup failed: \(response.status) \(String(buffer: response.body))") }
        let session = response.body.jsonObject
        let user = session["user"] as? [String: Any] ?? [:]
        return TestUser(id: user["id"] as? String ?? "", email: email, token: session["access_token"] as? String ?? "", password: password)
    }
}

extension TestResponse {
    var json: [String: Any] { body.jsonObject }
    var problemCode: String? { json["code"] as? String }
    var text: String { String(buffer: body) }
}

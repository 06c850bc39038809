import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import Punchlist

@Suite struct AccountRoutesTests {
    @Test(arguments: TestDatabase.all)
    func signUpLogInAndReadTheAccount(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let signup = try await client.send(.post, "/api/auth/signup", json: ["email": "  Ada@Example.COM ", "password": "longenough", "name": " Ada "])
            #expect(signup.status == .created)
            let session = signup.json
            #expect(session["token_type"] as? String == "bearer")
            #expect(session["expires_at"] as? String != nil)
            let user = try #require(session["user"] as? [String: Any])
            #expect(user["email"] as? String == "ada@example.com")
            #expect(user["name"] as? String == "Ada")
            #expect(user.keys.sorted() == ["created_at", "email", "id", "name"])

            let login = try await client.send(.post, "/api/auth/login", json: ["email": "ADA@example.com", "password": "longenough"])
            #expect(login.status == .ok)
            let token = try #require(login.json["access_token"] as? String)
            let me = try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(token)"])
            #expect(me.status == .ok)
            #expect(me.json["id"] as? String == user["id"] as? String)
        }
    }

    @Test(arguments: TestDatabase.all)
    func duplicateEmailIsAConflict(database: TestDatabase) async throws {
        try await withApp(database) { client in
            _ = try await client.signUp(email: "twice@example.com")
            let again = try await client.send(.post, "/api/auth/signup", json: ["email": "TWICE@example.com", "password": "longenough"])
            #expect(again.status == .conflict)
            #expect(again.problemCode == "email_taken")
        }
    }

    @Test func badEmailAndWeakPasswordNameEveryField() async throws {
        try await withApp(.sqlite) { client in
            let response = try await client.send(.post, "/api/auth/signup", json: ["email": "not-an-email", "password": "short", "extra": 1])
            #expect(response.status == .unprocessableContent)
            #expect(response.problemCode == "validation_failed")
            let fields = (response.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(Set(fields) == ["email", "password", "extra"])
        }
    }

    @Test func malformedAndNonJSONBodiesAreRefused() async throws {
        try await withApp(.sqlite) { client in
            let broken = try await client.execute(
                uri: "/api/auth/login", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{\"email\":"))
            #expect(broken.status == .badRequest)
            #expect(broken.problemCode == "malformed_json")
            let form = try await client.execute(
                uri: "/api/auth/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "email=a"))
            #expect(form.status == .unsupportedMediaType)
            #expect(form.problemCode == "unsupported_media_type")
            let huge = try await client.execute(
                uri: "/api/auth/login", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"email\":\"" + String(repeating: "a", count: 1 << 20) + "\"}"))
            #expect(huge.status == .contentTooLarge)
            #expect(huge.problemCode == "payload_too_large")
        }
    }

    @Test(arguments: TestDatabase.all)
    func unknownEmailAndWrongPasswordGetTheSameAnswer(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let wrong = try await client.send(.post, "/api/auth/login", json: ["email": user.email, "password": "wrong password"])
            let unknown = try await client.send(.post, "/api/auth/login", json: ["email": "nobody@example.com", "password": "wrong password"])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.problemCode == "invalid_credentials")
            #expect(wrong.json["detail"] as? String == unknown.json["detail"] as? String)
        }
    }

    @Test(arguments: TestDatabase.all)
    func logoutRevokesThatTokenAtOnce(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            #expect(try await client.send(.post, "/api/auth/logout", headers: user.auth).status == .noContent)
            let after = try await client.send(.get, "/api/auth/me", headers: user.auth)
            #expect(after.status == .unauthorized)
            #expect(after.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(after.headers[.contentType] == "application/problem+json")
        }
    }

    @Test(arguments: TestDatabase.all)
    func changingThePasswordEndsEveryOtherSession(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp(password: "first password")
            let other = try await client.send(.post, "/api/auth/login", json: ["email": user.email, "password": "first password"])
            let otherToken = try #require(other.json["access_token"] as? String)

            let missing = try await client.send(.patch, "/api/auth/me", json: ["password": "second password"], headers: user.auth)
            #expect(missing.status == .unprocessableContent)
            let wrong = try await client.send(
                .patch, "/api/auth/me", json: ["password": "second password", "current_password": "nope nope"], headers: user.auth)
            #expect((wrong.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "current_password")

            let changed = try await client.send(
                .patch, "/api/auth/me", json: ["password": "second password", "current_password": "first password", "name": "New"],
                headers: user.auth)
            #expect(changed.status == .ok)
            #expect(changed.json["name"] as? String == "New")
            #expect(try await client.send(.get, "/api/auth/me", headers: user.auth).status == .ok)
            #expect(try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(otherToken)"]).status == .unauthorized)
            let old = try await client.send(.post, "/api/auth/login", json: ["email": user.email, "password": "first password"])
            #expect(old.status == .unauthorized)
            #expect(try await client.send(.post, "/api/auth/login", json: ["email": user.email, "password": "second password"]).status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func deletingTheAccountNeedsThePasswordAndRemovesEverything(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let refused = try await client.send(.delete, "/api/auth/me", json: ["current_password": "not it at all"], headers: user.auth)
            #expect(refused.status == .unprocessableContent)
            let deleted = try await client.send(.delete, "/api/auth/me", json: ["current_password": user.password], headers: user.auth)
            #expect(deleted.status == .noContent)
            #expect(try await client.send(.get, "/api/auth/me", headers: user.auth).status == .unauthorized)
            let login = try await client.send(.post, "/api/auth/login", json: ["email": user.email, "password": user.password])
            #expect(login.status == .unauthorized)
            #expect(try await client.send(.post, "/api/auth/signup", json: ["email": user.email, "password": "another one"]).status == .created)
        }
    }

    @Test func signupAndLoginAreRateLimitedPerEmailAndAddress() async throws {
        // The four attempts (seconds of bcrypt on a loaded machine) must fall in the same window.
        try await startWithinOneRateLimitWindow()
        try await withApp(.sqlite, environment: ["AUTH_RATE_LIMIT": "3/minute"]) { client in
            for _ in 0..<3 {
                _ = try await client.send(.post, "/api/auth/login", json: ["email": "target@example.com", "password": "guessing123"])
            }
            let limited = try await client.send(.post, "/api/auth/login", json: ["email": "target@example.com", "password": "guessing123"])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.problemCode == "rate_limited")
            let retry = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            #expect(retry >= 1 && retry <= 60)
        }
    }
}

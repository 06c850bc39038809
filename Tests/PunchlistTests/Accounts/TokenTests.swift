import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

@testable import Punchlist

@Suite struct TokenTests {
    static let secret = testDefaults["AUTH_SECRET"]!

    /// Signs claims with a key of the test's choosing, as another issuer or an attacker would.
    static func sign(_ claims: AccessClaims, hmac secret: String) async throws -> String {
        try await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256).sign(claims)
    }

    static func claims(sub: String, sid: String? = nil, expires: Date = Date() + 3600, email: String? = nil) -> AccessClaims {
        AccessClaims(sub: .init(value: sub), sid: sid, iat: .init(value: Date()), exp: .init(value: expires), iss: .init(value: "other"), email: email)
    }

    @Test(arguments: TestDatabase.all)
    func expiredTamperedUnsignedAndForeignTokensAreRefused(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let session = try #require(TokenHeader(token: user.token))
            #expect(session.alg == "HS256")
            let parts = user.token.split(separator: ".").map(String.init)
            let payload = try #require(Data(base64URL: parts[1]))
            let claims = try JSONDecoder().decode(AccessClaims.self, from: payload)

            let expired = try await Self.sign(Self.claims(sub: user.id, sid: claims.sid, expires: Date() - 60), hmac: Self.secret)
            let wrongKey = try await Self.sign(Self.claims(sub: user.id, sid: claims.sid), hmac: String(repeating: "x", count: 40))
            let tampered = parts[0] + "." + Data("{\"sub\":\"\(UUID())\",\"sid\":\"\(claims.sid!)\",\"exp\":9999999999}".utf8).base64URL + "." + parts[2]
            let unsigned = Data("{\"alg\":\"none\",\"typ\":\"JWT\"}".utf8).base64URL + "." + parts[1] + "."
            // The genuine token, used first, is remembered as verified: that must not help its altered copies.
            #expect(try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(user.token)"]).status == .ok)
            for token in [expired, wrongKey, tampered, unsigned, "garbage", "a.b.c"] {
                let response = try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(token)"])
                #expect(response.status == .unauthorized, "\(token)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(response.problemCode == "unauthorized")
            }
            let missing = try await client.send(.get, "/api/auth/me")
            #expect(missing.status == .unauthorized)
        }
    }

    /// A token that worked is refused once it expires, although it was remembered as verified.
    @Test func aTokenStopsWorkingWhenItExpires() async throws {
        try await withApp(.sqlite) { client in
            let user = try await client.signUp()
            let parts = user.token.split(separator: ".").map(String.init)
            let claims = try JSONDecoder().decode(AccessClaims.self, from: try #require(Data(base64URL: parts[1])))
            let expiry = Date() + 2
            let shortLived = try await Self.sign(Self.claims(sub: user.id, sid: claims.sid, expires: expiry), hmac: Self.secret)
            for _ in 0..<2 {
                #expect(try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(shortLived)"]).status == .ok)
            }
            try await Task.sleep(for: .seconds(expiry.timeIntervalSinceNow + 1.2))
            let response = try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(shortLived)"])
            #expect(response.status == .unauthorized)
            #expect(response.json["detail"] as? String == "The token has expired.")
        }
    }

    @Test(arguments: TestDatabase.all)
    func sharedSecretTokensFromAFrontEndWorkForExistingUsersOnly(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let known = try await Self.sign(Self.claims(sub: user.id), hmac: Self.secret)
            let me = try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(known)"])
            #expect(me.status == .ok)
            #expect(me.json["id"] as? String == user.id)
            let unknown = try await Self.sign(Self.claims(sub: UUID().uuidString.lowercased()), hmac: Self.secret)
            #expect(try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(unknown)"]).status == .unauthorized)
            let notAnID = try await Self.sign(Self.claims(sub: "better-auth-user-1"), hmac: Self.secret)
            #expect(try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(notAnID)"]).status == .unauthorized)
        }
    }

    @Test(arguments: TestDatabase.all)
    func eddsaTokensAreVerifiedThroughAJWKSDocumentAndProvisionAUser(database: TestDatabase) async throws {
        let key = try EdDSA.PrivateKey(curve: .ed25519)
        let jwks = """
            {"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"issuer-key-1","x":"\(key.publicKey.rawRepresentation.base64URL)"}]}
            """
        let issuerRouter = Router()
        issuerRouter.get("/.well-known/jwks.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: jwks)))
        }
        let issuer = Application(router: issuerRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await issuer.test(.live) { issuerClient in
            let port = try #require(issuerClient.port)
            let environment = [
                "AUTH_JWKS_URL": "http://127.0.0.1:\(port)/.well-known/jwks.json", "AUTH_ISSUER": "https://auth.example.com",
                "AUTH_AUDIENCE": "punchlist",
            ]
            try await withApp(database, environment: environment) { client in
                let signer = await JWTKeyCollection().add(eddsa: key, kid: "issuer-key-1")
                var claims = Self.claims(sub: "ext-user-42", email: "Ext@Example.com")
                claims.iss = .init(value: "https://auth.example.com")
                claims.aud = .init(value: ["punchlist"])
                claims.name = "Ext User"
                let token = try await signer.sign(claims, kid: "issuer-key-1")
                let first = try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(token)"])
                #expect(first.status == .ok)
                #expect(first.json["email"] as? String == "ext@example.com")
                #expect(first.json["name"] as? String == "Ext User")
                let second = try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(token)"])
                #expect(second.json["id"] as? String == first.json["id"] as? String)

                claims.aud = .init(value: ["someone-else"])
                let wrongAudience = try await signer.sign(claims, kid: "issuer-key-1")
                #expect(try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(wrongAudience)"]).status == .unauthorized)

                let stranger = await JWTKeyCollection().add(eddsa: try EdDSA.PrivateKey(curve: .ed25519), kid: "issuer-key-1")
                claims.aud = .init(value: ["punchlist"])
                let forged = try await stranger.sign(claims, kid: "issuer-key-1")
                #expect(try await client.send(.get, "/api/auth/me", headers: [.authorization: "Bearer \(forged)"]).status == .unauthorized)
            }
        }
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URL: String) {
        var text = base64URL.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        self.init(base64Encoded: text)
    }
}

import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Punchlist

@Suite struct CORSTests {
    @Test(arguments: [
        ("https://*.vercel.app", "https://my-app-git-main-me.vercel.app", true),
        ("https://*.vercel.app", "https://a.b.vercel.app", true),
        ("https://*.vercel.app", "https://vercel.app", false),
        ("https://*.vercel.app", "https://vercel.app.evil.com", false),
        ("https://*.vercel.app", "https://evilvercel.app", false),
        ("https://*.vercel.app", "http://my-app.vercel.app", false),
        ("https://app.example.com", "https://APP.example.com", true),
        ("https://app.example.com", "https://app.example.com:8443", false),
        ("http://localhost:3000", "http://localhost:3000", true),
        ("http://localhost:3000", "http://localhost:3001", false),
    ])
    func originPatternsMatchWholeLabels(pattern: String, origin: String, allowed: Bool) throws {
        let parsed = try OriginPattern(pattern, variable: "CORS_ORIGINS")
        #expect(parsed.matches(origin) == allowed)
    }

    @Test func preflightFromAnAllowedWildcardOriginIsAnswered() async throws {
        try await withApp(.sqlite, environment: ["CORS_ORIGINS": "https://*.vercel.app"]) { client in
            let headers: HTTPFields = [
                .origin: "https://my-app-git-main-me.vercel.app", .accessControlRequestMethod: "PATCH",
                .accessControlRequestHeaders: "authorization, content-type",
            ]
            try await client.execute(uri: "/api/tasks", method: .options, headers: headers) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://my-app-git-main-me.vercel.app")
                #expect(response.headers[.accessControlAllowMethods]?.contains("PATCH") == true)
                #expect(response.headers[.accessControlAllowHeaders]?.contains("authorization") == true)
                #expect(response.headers[.accessControlAllowCredentials] == nil)
                #expect(response.headers[.vary]?.contains("Origin") == true)
            }
            try await client.execute(uri: "/health", method: .get, headers: [.origin: "https://my-app.vercel.app"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == "https://my-app.vercel.app")
                #expect(response.headers[.vary]?.contains("Origin") == true)
            }
        }
    }

    @Test func lookAlikeOriginGetsNoCORSHeaders() async throws {
        try await withApp(.sqlite, environment: ["CORS_ORIGINS": "https://*.vercel.app"]) { client in
            let headers: HTTPFields = [.origin: "https://vercel.app.evil.com", .accessControlRequestMethod: "GET"]
            try await client.execute(uri: "/api/tasks", method: .options, headers: headers) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(uri: "/health", method: .get, headers: [.origin: "https://vercel.app.evil.com"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
                #expect(response.headers[.vary]?.contains("Origin") == true)
            }
        }
    }

    @Test func withoutConfiguredOriginsOnlySameOriginWorks() async throws {
        try await withApp(.sqlite) { client in
            try await client.execute(uri: "/health", method: .get, headers: [.origin: "https://anywhere.example"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }
}

import Foundation
import Testing

@testable import Punchlist

@Suite struct SettingsTests {
    @Test func defaultsServeSQLiteOnPort7860() throws {
        let settings = try Settings(environment: [:])
        #expect(settings.port == 7860)
        #expect(settings.host == "127.0.0.1")
        #expect(settings.database == .sqlite(path: "./data/punchlist.sqlite"))
        #expect(settings.corsOrigins.isEmpty)
        #expect(settings.tokenLifetime == .seconds(7 * 86_400))
    }

    @Test(arguments: [
        (["PORT": "abc"], "PORT"),
        (["PORT": "70000"], "PORT"),
        (["DATABASE_URL": "mysql://localhost/db"], "DATABASE_URL"),
        (["DATABASE_URL": "postgres://localhost/db?sslmode=sometimes"], "DATABASE_URL"),
        (["CORS_ORIGINS": "vercel.app"], "CORS_ORIGINS"),
        (["FRONTEND_URL": "ftp://x"], "FRONTEND_URL"),
        (["LOG_LEVEL": "loud"], "LOG_LEVEL"),
        (["AUTH_SECRET": "short"], "AUTH_SECRET"),
        (["BETTER_AUTH_SECRET": "short"], "BETTER_AUTH_SECRET"),
        (["AUTH_TOKEN_TTL": "forever"], "AUTH_TOKEN_TTL"),
        (["AUTH_RATE_LIMIT": "lots"], "AUTH_RATE_LIMIT"),
        (["DATABASE_POOL_SIZE": "0"], "DATABASE_POOL_SIZE"),
        (["LLM_BASE_URL": "localhost:11434"], "LLM_BASE_URL"),
        (["LLM_TIMEOUT": "soon"], "LLM_TIMEOUT"),
        (["ASSISTANT_MAX_TOOL_ROUNDS": "100"], "ASSISTANT_MAX_TOOL_ROUNDS"),
        (["ASSISTANT_RATE_LIMIT": "many"], "ASSISTANT_RATE_LIMIT"),
    ])
    func badValueNamesTheVariable(environment: [String: String], variable: String) {
        #expect {
            _ = try Settings(environment: environment)
        } throws: { error in
            (error as? SettingsError)?.variable == variable
        }
    }

    @Test func theAssistantDefaultsToOpenAIWhenOnlyAKeyIsGivenAndIsOffWithoutAModel() throws {
        let keyOnly = try Settings(environment: ["LLM_API_KEY": "sk-x", "LLM_MODEL": "gpt-4o-mini"]).assistant
        #expect(keyOnly.baseURL == "https://api.openai.com/v1")
        #expect(keyOnly.missingVariables.isEmpty)
        let local = try Settings(environment: ["LLM_BASE_URL": "http://localhost:11434/v1/"]).assistant
        #expect(local.baseURL == "http://localhost:11434/v1")
        #expect(local.missingVariables == ["LLM_MODEL"])
        #expect(try Settings(environment: [:]).assistant.missingVariables == ["LLM_BASE_URL", "LLM_MODEL"])
    }

    @Test func postgresURLsOfBothSchemesAndNeonParametersAreAccepted() throws {
        let neon = try Settings(environment: [
            "DATABASE_URL": "postgresql://alex:AbC%40123@ep-cool-name-123.eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require"
        ])
        guard case .postgres(let location) = neon.database else { Issue.record("not postgres"); return }
        #expect(location.host == "ep-cool-name-123.eu-central-1.aws.neon.tech")
        #expect(location.username == "alex")
        #expect(location.password == "AbC@123")
        #expect(location.database == "neondb")
        #expect(location.tlsMode == .require)
        #expect(!neon.database.description.contains("AbC"))

        let plain = try Settings(environment: ["DATABASE_URL": "postgres://u:p@db:6543/app"])
        guard case .postgres(let other) = plain.database else { Issue.record("not postgres"); return }
        #expect(other.port == 6543)
        #expect(other.tlsMode == .prefer)
    }

    @Test func sqliteURLsTakeAbsoluteAndRelativePaths() throws {
        #expect(try Settings(environment: ["DATABASE_URL": "sqlite:///var/lib/p.sqlite"]).database == .sqlite(path: "/var/lib/p.sqlite"))
        #expect(try Settings(environment: ["DATABASE_URL": "sqlite://data/p.sqlite"]).database == .sqlite(path: "data/p.sqlite"))
    }

    @Test func secretAliasesAndDurationsAreRead() throws {
        let settings = try Settings(environment: [
            "BETTER_AUTH_SECRET": String(repeating: "s", count: 32), "AUTH_TOKEN_TTL": "12h", "CORS_ORIGINS": "https://a.com, https://*.b.com",
        ])
        #expect(settings.authSecret == String(repeating: "s", count: 32))
        #expect(settings.tokenLifetime == .seconds(12 * 3600))
        #expect(settings.corsOrigins.count == 2)
    }
}

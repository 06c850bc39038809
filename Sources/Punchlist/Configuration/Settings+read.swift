import Configuration
import Foundation
import Logging

extension Settings {
    /// Reads the process environment, then a `.env` file in the working directory (the real
    /// environment wins).
    public static func fromEnvironment() async throws -> Settings {
        let dotEnv = try await EnvironmentVariablesProvider(environmentFilePath: ".env", allowMissing: true)
        return try Settings(reader: ConfigReader(providers: [EnvironmentVariablesProvider(), dotEnv]))
    }

    /// Reads settings from explicit variables, as tests and tools do.
    public init(environment: [String: String]) throws {
        try self.init(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    /// Reads and validates every setting; the first unusable value throws a ``SettingsError``.
    public init(reader: ConfigReader) throws {
        let env = Variables(reader: reader)
        self.host = env["HOST"] ?? "127.0.0.1"
        self.port = try env.integer("PORT", default: 7860, in: 0...65535, expected: "a port number from 0 to 65535")
        self.dataDirectory = env["DATA_DIR"] ?? "./data"
        self.publicDirectory = env["PUBLIC_DIR"] ?? "./Public"
        if let url = env["DATABASE_URL"] {
            self.database = try DatabaseLocation(url: url, variable: "DATABASE_URL")
        } else {
            self.database = .sqlite(path: (dataDirectory as NSString).appendingPathComponent("punchlist.sqlite"))
        }
        self.directDatabase = try env["DATABASE_DIRECT_URL"].map { try DatabaseLocation(url: $0, variable: "DATABASE_DIRECT_URL") }
        let defaultPool = max(4, ProcessInfo.processInfo.activeProcessorCount * 4)
        self.databasePoolSize = try env.integer(
            "DATABASE_POOL_SIZE", default: defaultPool, in: 1...500, expected: "a connection count from 1 to 500")
        self.databaseStartupTimeout = .seconds(
            try env.integer("DATABASE_CONNECT_TIMEOUT", default: 30, in: 0...600, expected: "seconds from 0 to 600"))
        let origins = env["CORS_ORIGINS"] ?? env["FRONTEND_URL"]
        self.corsOrigins = try OriginPattern.list(origins ?? "", variable: env["CORS_ORIGINS"] == nil ? "FRONTEND_URL" : "CORS_ORIGINS")
        self.logLevel = try env.choice("LOG_LEVEL", default: .info, expected: "trace, debug, info, notice, warning, error or critical")
        let isTerminal = isatty(STDERR_FILENO) == 1
        self.logFormat = try env.choice("LOG_FORMAT", default: isTerminal ? .text : .json, expected: "json or text")
        self.metricsToken = env["METRICS_TOKEN"]
        let secretVariable = ["AUTH_SECRET", "BETTER_AUTH_SECRET", "JWT_SECRET"].first { env[$0] != nil }
        self.authSecret = secretVariable.flatMap { env[$0] }
        if let secretVariable, let secret = authSecret, secret.utf8.count < 32 {
            throw SettingsError(secretVariable, expected: "a secret of at least 32 bytes (got \(secret.utf8.count))")
        }
        self.tokenLifetime = try env["AUTH_TOKEN_TTL"].map { try Settings.duration($0, variable: "AUTH_TOKEN_TTL") } ?? .seconds(7 * 86_400)
        self.jwksURL = env["AUTH_JWKS_URL"]
        if let jwksURL, URL(string: jwksURL)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw SettingsError("AUTH_JWKS_URL", expected: "an http:// or https:// URL")
        }
        self.externalIssuer = env["AUTH_ISSUER"]
        self.externalAudience = env["AUTH_AUDIENCE"]
        self.authRateLimit = try RateLimit(env["AUTH_RATE_LIMIT"] ?? "10/minute", variable: "AUTH_RATE_LIMIT")
        self.bcryptCost = try env.integer("AUTH_BCRYPT_COST", default: 10, in: 4...16, expected: "a bcrypt cost from 4 to 16")
        self.forwardedHops = try env.integer("FORWARDED_HOPS", default: 0, in: 0...10, expected: "a hop count from 0 to 10")
        self.assistant = try AssistantSettings(env)
    }

    /// Parses `30s`, `15m`, `12h`, `7d` or a bare number of seconds.
    static func duration(_ text: String, variable: String) throws -> Duration {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        var unit = 1
        if let last = digits.last, let factor = units[last] {
            unit = factor
            digits = digits.dropLast()
        }
        guard let count = Int(digits), count > 0, count <= 3650 * 86_400 / unit else {
            throw SettingsError(variable, expected: "a duration such as 30m, 12h or 7d")
        }
        return .seconds(count * unit)
    }
}

/// Environment variables by their conventional names, over a `ConfigReader`.
struct Variables {
    let reader: ConfigReader

    /// The value, trimmed; an empty value counts as unset.
    subscript(name: String) -> String? {
        let key = ConfigKey(name.lowercased().split(separator: "_").map(String.init))
        let value = reader.string(forKey: key, isSecret: name.contains("SECRET") || name.contains("TOKEN") || name.contains("KEY"))
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed?.isEmpty == false ? trimmed : nil
    }

    func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>, expected: String) throws -> Int {
        guard let text = self[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else { throw SettingsError(name, expected: "\(expected), got '\(text)'") }
        return value
    }

    func choice<Value: RawRepresentable>(_ name: String, default fallback: Value, expected: String) throws -> Value
    where Value.RawValue == String {
        guard let text = self[name] else { return fallback }
        guard let value = Value(rawValue: text.lowercased()) else { throw SettingsError(name, expected: "\(expected), got '\(text)'") }
        return value
    }
}


import Foundation
import Logging

/// Every setting Punchlist reads, typed and validated once at start.
///
/// Each property names the environment variable it comes from; `docs/CONFIGURATION.md`
/// and the README's table describe them for operators.
public struct Settings: Sendable {
    /// `HOST`: the listening address.
    public var host: String
    /// `PORT`: the listening port; `0` picks a free one (tests).
    public var port: Int
    /// `DATABASE_URL` (or SQLite under `DATA_DIR` when unset).
    public var database: DatabaseLocation
    /// `DATABASE_DIRECT_URL`: a non-pooled URL for `LISTEN/NOTIFY` and migrations.
    public var directDatabase: DatabaseLocation?
    /// `DATABASE_POOL_SIZE`: maximum PostgreSQL connections per replica.
    public var databasePoolSize: Int
    /// `DATA_DIR`: where SQLite and other local files live.
    public var dataDirectory: String
    /// `PUBLIC_DIR`: the web app's files, served at `/`.
    public var publicDirectory: String
    /// `CORS_ORIGINS` / `FRONTEND_URL`: origins allowed to call the API from a browser.
    public var corsOrigins: [OriginPattern]
    /// `LOG_LEVEL`.
    public var logLevel: Logger.Level
    /// `LOG_FORMAT`: `json` or `text`.
    public var logFormat: LogFormat
    /// `METRICS_TOKEN`: bearer token guarding `/metrics`; nil leaves it open.
    public var metricsToken: String?
    /// `AUTH_SECRET` / `BETTER_AUTH_SECRET` / `JWT_SECRET`; nil: generated once and kept in the database.
    public var authSecret: String?
    /// `AUTH_TOKEN_TTL`: the lifetime of an issued token.
    public var tokenLifetime: Duration
    /// `AUTH_JWKS_URL`: an external issuer's key set for asymmetric tokens.
    public var jwksURL: String?
    /// `AUTH_ISSUER`: the `iss` an external asymmetric token must carry, when set.
    public var externalIssuer: String?
    /// `AUTH_AUDIENCE`: the `aud` an external asymmetric token must carry, when set.
    public var externalAudience: String?
    /// `AUTH_RATE_LIMIT`: signup and login attempts per client address and per email.
    public var authRateLimit: RateLimit?
    /// `AUTH_BCRYPT_COST`: the bcrypt work factor for stored passwords.
    public var bcryptCost: Int
    /// `FORWARDED_HOPS`: trusted proxies in front of the server.
    public var forwardedHops: Int
    /// `DATABASE_CONNECT_TIMEOUT`: how long start-up keeps retrying an unreachable database.
    public var databaseStartupTimeout: Duration

    /// The assistant's language model (`LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL`, `EMBEDDING_MODEL`,
    /// `LLM_TIMEOUT`, `ASSISTANT_MAX_TOOL_ROUNDS`).
    public var assistant: AssistantSettings

    /// How log lines are written.
    public enum LogFormat: String, Sendable {
        case json, text
    }
}

import Foundation

/// Which database Punchlist keeps its data in, parsed from a `DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite file; its directory is created if missing.
    case sqlite(path: String)
    /// A PostgreSQL server.
    case postgres(PostgresLocation)

    /// The name `/ready` reports.
    public var kind: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// Parses `postgres://`, `postgresql://`, `sqlite:///absolute` or `sqlite://relative` URLs.
    public init(url: String, variable: String) throws {
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw SettingsError(variable, expected: "sqlite:///absolute/path or sqlite://relative/path") }
            self = .sqlite(path: path)
        } else if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(url: url, variable: variable))
        } else {
            let scheme = url.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            throw SettingsError(variable, expected: "a postgres://, postgresql:// or sqlite:// URL, got scheme '\(scheme)'")
        }
    }

    /// The location without credentials, safe for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let location): location.description
        }
    }
}

/// A PostgreSQL server's address, credentials and TLS mode.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values that Punchlist honours.
    public enum TLSMode: String, Sendable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// `sslrootcert`: a CA bundle for `verify-ca` and `verify-full`; the system's trust store when nil.
    public var rootCertificatePath: String?

    init(url text: String, variable: String) throws {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw SettingsError(variable, expected: "a URL such as postgres://user:password@host:5432/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.percentEncodedUser?.removingPercentEncoding ?? "postgres"
        self.password = components.percentEncodedPassword?.removingPercentEncoding
        let path = components.path.drop(while: { $0 == "/" })
        self.database = path.isEmpty ? username : String(path)
        let query = components.queryItems ?? []
        let sslmode = query.last { $0.name == "sslmode" }?.value ?? "prefer"
        guard let mode = TLSMode(rawValue: sslmode) else {
            throw SettingsError(variable, expected: "sslmode of disable, allow, prefer, require, verify-ca or verify-full, got '\(sslmode)'")
        }
        self.tlsMode = mode
        self.rootCertificatePath = query.last { $0.name == "sslrootcert" }?.value
        // `channel_binding` (Neon adds it) and other libpq parameters need nothing from us:
        // postgres-nio negotiates SCRAM with channel binding over TLS by itself.
    }

    /// The location without the password.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(tlsMode.rawValue)" }
}

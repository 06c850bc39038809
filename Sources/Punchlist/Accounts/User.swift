import Foundation

/// A person with an account.
public struct User: Sendable, Equatable {
    public var id: UUID
    /// Trimmed and lower-cased, so comparisons are case-insensitive; empty for an external account
    /// whose issuer gave no email (or one already in use here).
    public var email: String
    public var name: String
    /// The bcrypt hash; nil for accounts provisioned from an external issuer.
    public var passwordHash: String?
    /// The external issuer and subject this account was provisioned for, if any.
    public var externalIdentity: ExternalIdentity?
    public var createdAt: Date
    public var updatedAt: Date

    /// Who vouches for an account that Punchlist did not create itself.
    public struct ExternalIdentity: Sendable, Equatable {
        public var issuer: String
        public var subject: String
    }
}

/// A signed-in device or tab: the handle a token's `sid` claim names, so it can be revoked.
public struct Session: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
}

extension User {
    /// The email as the database keeps it: NULL rather than empty, so that uniqueness ignores it.
    var storedEmail: String? { email.isEmpty ? nil : email }
}

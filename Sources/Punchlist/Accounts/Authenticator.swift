import Foundation
import JWTKit
import Logging

/// Turns a bearer token into an ``Identity``: Punchlist's own tokens (checked against their
/// session, so revocation is immediate on every replica), HS256 tokens from a front end sharing
/// the secret, and asymmetric tokens from an external issuer's key set.
struct Authenticator: Sendable {
    let store: any Store
    /// Live sessions already read; see ``SessionCache`` for how ended ones leave it at once.
    let sessions: SessionCache
    /// Tokens signed with the shared secret that were already verified.
    let verifiedTokens = VerifiedTokens()
    let ownKeys: JWTKeyCollection
    let external: ExternalKeySet?
    let settings: Settings

    static let issuer = "punchlist"

    init(store: any Store, secret: String, settings: Settings, logger: Logger, sessions: SessionCache = SessionCache(trusted: false)) async {
        self.store = store
        self.sessions = sessions
        self.ownKeys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.external = settings.jwksURL.map { ExternalKeySet(url: $0, logger: logger) }
        self.settings = settings
    }

    /// Signs a token for a new session.
    func token(for session: Session) async throws -> String {
        let claims = AccessClaims(
            sub: .init(value: session.userID.lowercased), sid: session.id.lowercased, iat: .init(value: session.createdAt),
            exp: .init(value: session.expiresAt), iss: .init(value: Self.issuer))
        return try await ownKeys.sign(claims)
    }

    func identity(for token: String) async throws -> Identity {
        if let claims = verifiedTokens.claims(for: token, at: Date()) { return try await sharedSecretIdentity(claims) }
        guard let header = TokenHeader(token: token) else { throw Problem.unauthorized("The bearer token is malformed.") }
        switch header.alg {
        case "HS256":
            let claims: AccessClaims
            do {
                claims = try await ownKeys.verify(token, as: AccessClaims.self)
            } catch {
                throw Problem.unauthorized(Self.reason(error))
            }
            verifiedTokens.remember(claims, for: token)
            return try await sharedSecretIdentity(claims)
        case "EdDSA", "RS256", "ES256":
            guard let external else { throw Problem.unauthorized("Tokens signed with \(header.alg) are not accepted here.") }
            let claims: AccessClaims
            do {
                claims = try await external.verify(token, kid: header.kid)
            } catch let problem as Problem {
                throw problem
            } catch {
                throw Problem.unauthorized(Self.reason(error))
            }
            return try await externalIdentity(claims)
        default:
            throw Problem.unauthorized("Tokens signed with \(header.alg) are not accepted.")
        }
    }

    /// What checking a token said, for callers that must tell a refusal from a database that did
    /// not answer: only a refusal may sign anyone out (the live connections, LIVE.md).
    enum TokenCheck: Sendable {
        case signedIn(Identity)
        case refused(reason: String)
        case unanswered
    }

    func check(_ token: String?) async -> TokenCheck {
        do {
            guard let token else { throw Problem.unauthorized() }
            return .signedIn(try await identity(for: token))
        } catch let problem as Problem where problem.status == .unauthorized {
            return .refused(reason: problem.detail)
        } catch {
            return .unanswered
        }
    }

    /// Whether `token` still stands for `identity` (its session not ended since it was checked).
    func stillSignedIn(_ identity: Identity, token: String?) async -> Bool {
        switch await check(token) {
        case .signedIn(let current): current == identity
        case .refused: false
        case .unanswered: true
        }
    }

    /// Punchlist's own token (with a live session), or a front end's HS256 token naming an existing user.
    private func sharedSecretIdentity(_ claims: AccessClaims) async throws -> Identity {
        guard let userID = UUID(text: claims.sub.value) else { throw Problem.unauthorized("The token's subject is not a user here.") }
        if let sid = claims.sid {
            let now = Date()
            guard let sessionID = UUID(text: sid) else { throw Problem.unauthorized("This session has ended; sign in again.") }
            if sessions.isLive(sessionID, userID: userID, at: now) { return Identity(userID: userID, sessionID: sessionID) }
            let generation = sessions.generation
            guard let session = try await store.session(id: sessionID), session.userID == userID, session.revokedAt == nil, session.expiresAt > now
            else { throw Problem.unauthorized("This session has ended; sign in again.") }
            sessions.remember(session, readAt: generation)
            return Identity(userID: userID, sessionID: sessionID)
        }
        guard try await store.user(id: userID) != nil else { throw Problem.unauthorized("The token's subject is not a user here.") }
        return Identity(userID: userID, sessionID: nil)
    }

    /// An external issuer's token: checked against `AUTH_ISSUER`/`AUTH_AUDIENCE`, its subject
    /// provisioned as a user on first sight.
    private func externalIdentity(_ claims: AccessClaims) async throws -> Identity {
        if let expected = settings.externalIssuer, claims.iss?.value != expected {
            throw Problem.unauthorized("The token's issuer is not trusted here.")
        }
        if let audience = settings.externalAudience, claims.aud?.value.contains(audience) != true {
            throw Problem.unauthorized("The token is meant for another audience.")
        }
        let identity = User.ExternalIdentity(issuer: claims.iss?.value ?? settings.jwksURL ?? "", subject: claims.sub.value)
        if let user = try await store.user(external: identity) { return Identity(userID: user.id, sessionID: nil) }
        let now = Date().roundedToMilliseconds
        var user = User(
            id: .v7(at: now), email: AccountRules.normalizedEmail(claims.email ?? ""),
            name: String(AccountRules.normalizedName(claims.name ?? "").unicodeScalars.prefix(100)), passwordHash: nil,
            externalIdentity: identity, createdAt: now, updatedAt: now)
        if AccountRules.emailProblem(user.email) != nil { user.email = "" }
        do {
            try await store.insert(user: user)
        } catch StoreError.emailTaken {
            // Another request provisioned this subject first, or the email belongs to an account
            // the issuer does not own: never link to it, keep the new account without an email.
            if let existing = try await store.user(external: identity) { return Identity(userID: existing.id, sessionID: nil) }
            user.email = ""
            try await store.insert(user: user)
        }
        return Identity(userID: user.id, sessionID: nil)
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? JWTError, error.errorType == .claimVerificationFailure {
            return "The token has expired."
        }
        return "The token's signature or claims are invalid."
    }
}

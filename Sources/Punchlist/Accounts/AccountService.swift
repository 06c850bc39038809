import Foundation

/// Sign-up, sign-in and account changes: the rules of API.md section 3, free of HTTP.
struct AccountService: Sendable {
    let store: any Store
    let hasher: PasswordHasher
    let authenticator: Authenticator
    let tokenLifetime: Duration
    /// Where this process hears of sessions it ended (after the commit), to drop them from its
    /// session cache and close their live connections; the store tells the other replicas.
    var sessionsEnded: @Sendable (LiveSignal) async -> Void = { _ in }

    /// A new session and its signed token.
    struct SignedIn {
        var user: User
        var token: String
        var expiresAt: Date
    }

    /// `otherErrors` are problems the caller already found in the request, reported together with these.
    func signUp(email rawEmail: String, password: String, name rawName: String?, otherErrors: [Problem.FieldError] = []) async throws -> SignedIn {
        let email = AccountRules.normalizedEmail(rawEmail)
        let name = AccountRules.normalizedName(rawName ?? "")
        var errors = otherErrors
        if let problem = AccountRules.emailProblem(email) { errors.append(.init(field: "email", message: problem)) }
        if let problem = AccountRules.passwordProblem(password) { errors.append(.init(field: "password", message: problem)) }
        if let problem = AccountRules.nameProblem(name) { errors.append(.init(field: "name", message: problem)) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let now = Date().roundedToMilliseconds
        let user = User(
            id: .v7(at: now), email: email, name: name, passwordHash: try await hasher.hash(password), externalIdentity: nil, createdAt: now,
            updatedAt: now)
        do {
            try await store.insert(user: user)
        } catch StoreError.emailTaken {
            throw Problem(.conflict, code: "email_taken", detail: "An account with this email already exists.")
        }
        return try await startSession(for: user)
    }

    /// Unknown emails and wrong passwords get the same answer after the same work.
    func logIn(email rawEmail: String, password: String) async throws -> SignedIn {
        let user = try await store.user(email: AccountRules.normalizedEmail(rawEmail))
        guard try await hasher.verify(password, against: user?.passwordHash), let user else {
            throw Problem(.unauthorized, code: "invalid_credentials", detail: "The email or password is incorrect.")
        }
        return try await startSession(for: user)
    }

    func logOut(_ identity: Identity) async throws {
        // External issuers' tokens have no session here: their issuer ends them.
        guard let session = identity.sessionID else { return }
        try await store.revokeSession(id: session, at: Date().roundedToMilliseconds)
        await sessionsEnded(.sessionEnded(session))
    }

    func user(_ identity: Identity) async throws -> User {
        guard let user = try await store.user(id: identity.userID) else { throw Problem.unauthorized("This account no longer exists.") }
        return user
    }

    /// Changes the name and/or password; a new password needs the current one and ends every other session.
    func update(_ identity: Identity, name: String?, password: String?, currentPassword: String?) async throws -> User {
        var user = try await self.user(identity)
        var errors: [Problem.FieldError] = []
        if let name {
            let trimmed = AccountRules.normalizedName(name)
            if let problem = AccountRules.nameProblem(trimmed) { errors.append(.init(field: "name", message: problem)) }
            user.name = trimmed
        }
        if let password {
            if let problem = AccountRules.passwordProblem(password) { errors.append(.init(field: "password", message: problem)) }
            if user.passwordHash == nil {
                errors.append(.init(field: "password", message: "cannot be set for an account signed in through another issuer"))
            } else if let currentPassword {
                if errors.isEmpty, try await !hasher.verify(currentPassword, against: user.passwordHash) {
                    errors.append(.init(field: "current_password", message: "is incorrect"))
                }
            } else {
                errors.append(.init(field: "current_password", message: "is required to change the password"))
            }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        if let password { user.passwordHash = try await hasher.hash(password) }
        user.updatedAt = Date().roundedToMilliseconds
        // A session id of nil (an external token) keeps no session: every session ends.
        try await store.update(user: user, revokingSessionsExcept: password == nil ? nil : (identity.sessionID ?? UUID()))
        if password != nil { await sessionsEnded(.userSessionsEnded(user.id, except: identity.sessionID)) }
        return user
    }

    /// Deletes the account and everything it owns; accounts with a password must confirm it.
    func delete(_ identity: Identity, currentPassword: String?) async throws {
        let user = try await self.user(identity)
        if let hash = user.passwordHash {
            guard let currentPassword else {
                throw Problem.validation(field: "current_password", "is required to delete the account")
            }
            guard try await hasher.verify(currentPassword, against: hash) else {
                throw Problem.validation(field: "current_password", "is incorrect")
            }
        }
        _ = try await store.deleteUser(id: user.id)
        await sessionsEnded(.userSessionsEnded(user.id, except: nil))
    }

    private func startSession(for user: User) async throws -> SignedIn {
        let now = Date().roundedToMilliseconds
        let session = Session(id: .v7(at: now), userID: user.id, createdAt: now, expiresAt: now + tokenLifetime.timeInterval, revokedAt: nil)
        try await store.insert(session: session)
        return SignedIn(user: user, token: try await authenticator.token(for: session), expiresAt: session.expiresAt)
    }
}

extension Duration {
    var timeInterval: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

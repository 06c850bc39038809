import Foundation
import HTTPTypes
import Hummingbird

/// `/api/auth`: translates HTTP to ``AccountService`` and back.
struct AccountRoutes: Sendable {
    let accounts: AccountService
    let rateLimiter: RateLimiter?
    let forwardedHops: Int

    /// Sign-up and login need no token; the rest go in the authenticated group.
    func register(public router: RouterGroup<AppRequestContext>, authenticated group: RouterGroup<AppRequestContext>) {
        router.post("auth/signup") { request, context in
            var body = ObjectReader(try await JSONBody.read(request, context: context), fields: ["email", "password", "name"])
            let email = body.string("email").value
            let password = body.string("password").value
            let name = body.string("name")
            if case .null = name { body.fail("name", "must be a string") }
            try Self.require(&body, email: email, password: password, allErrors: false)
            try limit(request, context: context, email: email!)
            let session = try await accounts.signUp(email: email!, password: password!, name: name.value, otherErrors: body.errors)
            return Self.sessionResponse(session, status: .created)
        }
        router.post("auth/login") { request, context in
            var body = ObjectReader(try await JSONBody.read(request, context: context), fields: ["email", "password"])
            let email = body.string("email").value
            let password = body.string("password").value
            try Self.require(&body, email: email, password: password, allErrors: true)
            try limit(request, context: context, email: email!)
            return Self.sessionResponse(try await accounts.logIn(email: email!, password: password!), status: .ok)
        }
        group.post("auth/logout") { _, context in
            try await accounts.logOut(try context.requireIdentity())
            return Response(status: .noContent)
        }
        group.get("auth/me") { _, context in
            Self.userResponse(try await accounts.user(try context.requireIdentity()))
        }
        group.patch("auth/me") { request, context in
            var body = ObjectReader(try await JSONBody.read(request, context: context), fields: ["name", "password", "current_password"])
            let name = body.string("name")
            let password = body.string("password")
            let current = body.string("current_password")
            for (field, value) in [("name", name), ("password", password), ("current_password", current)] where value.isNull {
                body.fail(field, "must be a string")
            }
            if let current = current.value, current.unicodeScalars.count > 128 { body.fail("current_password", "must be at most 128 characters") }
            guard body.errors.isEmpty else { throw Problem.validation(body.errors) }
            let user = try await accounts.update(
                try context.requireIdentity(), name: name.value, password: password.value, currentPassword: current.value)
            return Self.userResponse(user)
        }
        group.delete("auth/me") { request, context in
            let identity = try context.requireIdentity()
            var current: String?
            let buffer = try await JSONBody.collect(request, limit: JSONBody.defaultLimit, accepting: JSONBody.isJSON)
            if buffer.readableBytes > 0 {
                guard let value = JSONValue.parse(buffer.readableBytesView) else {
                    throw Problem.badRequest(code: "malformed_json", "The body is not valid JSON.")
                }
                var body = ObjectReader(value, fields: ["current_password"])
                current = body.string("current_password").value
                if let current, current.unicodeScalars.count > 128 { body.fail("current_password", "must be at most 128 characters") }
                guard body.errors.isEmpty else { throw Problem.validation(body.errors) }
            }
            try await accounts.delete(identity, currentPassword: current)
            return Response(status: .noContent)
        }
    }

    /// Fails unless both credentials are present; with `allErrors`, also for any other problem found so far.
    private static func require(_ body: inout ObjectReader, email: String?, password: String?, allErrors: Bool) throws {
        if email == nil, !body.errors.contains(where: { $0.field == "email" }) { body.fail("email", "is required") }
        if password == nil, !body.errors.contains(where: { $0.field == "password" }) { body.fail("password", "is required") }
        guard body.errors.isEmpty || (!allErrors && email != nil && password != nil) else { throw Problem.validation(body.errors) }
    }

    private func limit(_ request: Request, context: AppRequestContext, email: String) throws {
        guard let rateLimiter else { return }
        let address = ClientAddress.of(request, context: context, trustedHops: forwardedHops)
        if let wait = rateLimiter.attempt(keys: ["address:\(address)", "email:\(AccountRules.normalizedEmail(email))"]) {
            throw Problem.rateLimited("Too many attempts", retryAfter: wait)
        }
    }

    static func writeUser(_ user: User, to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(user.id.lowercased)
        json.key("email"); json.string(user.email)
        json.key("name"); json.string(user.name)
        json.key("created_at"); json.date(user.createdAt)
        json.endObject()
    }

    static func userResponse(_ user: User) -> Response {
        var json = JSONWriter()
        writeUser(user, to: &json)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    static func sessionResponse(_ session: AccountService.SignedIn, status: HTTPResponse.Status) -> Response {
        var json = JSONWriter()
        json.beginObject()
        json.key("user"); writeUser(session.user, to: &json)
        json.key("access_token"); json.string(session.token)
        json.key("token_type"); json.string("bearer")
        json.key("expires_at"); json.date(session.expiresAt)
        json.endObject()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}

extension FieldValue {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

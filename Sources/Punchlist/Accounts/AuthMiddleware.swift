import HTTPTypes
import Hummingbird

/// Requires a valid bearer token and records who the caller is.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.bearerToken(request) else { throw Problem.unauthorized() }
        var context = context
        do {
            context.identity = try await authenticator.identity(for: token)
        } catch var problem as Problem where problem.status == .unauthorized {
            // RFC 6750: a token was sent and refused.
            problem.headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
            throw problem
        }
        return try await next(request, context)
    }

    /// The token from `Authorization: Bearer …`.
    static func bearerToken(_ request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            let token = parts[1].trimmingCharacters(in: .whitespaces)
            return token.isEmpty ? nil : token
        }
        return nil
    }
}

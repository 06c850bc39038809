import HTTPTypes
import Hummingbird

/// Requires a valid bearer token and records who the caller is.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let authenticator: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.bearerToken(request) else { throw Problem.unauthorized() }
        var context = context
        context.identity = try await authenticator.identity(for: token)
        return try await next(request, context)
    }

    /// The token from `Authorization: Bearer …`, or from `?access_token=` where a browser cannot set headers.
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

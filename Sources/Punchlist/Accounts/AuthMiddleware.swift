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
            guard parts.count == 2, parts[0].count == 6, parts[0].lowercased() == "bearer" else { return nil }
            // Trimmed by hand: `trimmingCharacters(in:)` goes through `NSString`.
            var token = parts[1]
            while let first = token.first, first == " " || first == "\t" { token.removeFirst() }
            while let last = token.last, last == " " || last == "\t" { token.removeLast() }
            return token.isEmpty ? nil : String(token)
        }
        return nil
    }
}

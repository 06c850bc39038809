import HTTPTypes
import Hummingbird

/// Lets the configured browser origins call the API: answers preflights, labels responses, and
/// always says `Vary: Origin` so caches keep answers for different origins apart. Bearer tokens
/// travel in a header, so credentials (cookies) are never allowed.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let origins: [OriginPattern]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else {
            var response = try await next(request, context)
            response.headers.append(HTTPField(name: .vary, value: "Origin"))
            return response
        }
        let allowed = origins.contains { $0.matches(origin) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            // A preflight: answered here, whether allowed or not (a refusal simply carries no allow headers).
            var headers: HTTPFields = [.vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]
            if allowed {
                headers[.accessControlAllowOrigin] = origin
                headers[.accessControlAllowMethods] = "GET, POST, PATCH, PUT, DELETE, OPTIONS"
                headers[.accessControlAllowHeaders] =
                    request.headers[.accessControlRequestHeaders] ?? "Authorization, Content-Type, If-Match, Idempotency-Key, X-Request-ID, Last-Event-ID"
                headers[.accessControlMaxAge] = "600"
            }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers.append(HTTPField(name: .vary, value: "Origin"))
        if allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "ETag, Location, X-Request-ID, Retry-After, Idempotent-Replayed"
        }
        return response
    }
}

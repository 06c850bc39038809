import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import PostgresNIO

/// Turns every error into a problem document: known problems as they are, framework errors by
/// their status, an unreachable database and a change PostgreSQL kept turning away for a
/// concurrent one as 503, and anything else as a logged 500 that says nothing of its cause.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    private var routes: RouteCatalog { .api }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try problem(for: error, request: request, context: context).response(from: request, context: context)
        }
    }

    private func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            return problem(for: error, request: request)
        case let error where PostgresOutage.isOutage(error):
            context.logger.error("database unreachable", metadata: ["error": "\(Self.describe(error))"])
            return .unavailable()
        case StoreError.unavailable:
            return .unavailable()
        case let error where PostgresConflict.isConflict(error):
            context.logger.warning("database conflict", metadata: ["error": "\(Self.describe(error))"])
            return .busy()
        case let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL].contains(error.resultCode):
            context.logger.error("database error", metadata: ["error": "\(error.resultCode)"])
            return .unavailable()
        default:
            // The cause goes to the log only: a response never carries SQL, paths or stack traces.
            context.logger.error("unexpected error", metadata: ["error": "\(Self.describe(error))"])
            return Problem(.internalServerError, code: "internal_error", detail: "Something went wrong on our side; it has been logged.")
        }
    }

    /// What the log says of an outage or an unexpected error: PostgreSQL's own message where there is one.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            guard let message = error.serverInfo?[.message] else { return "PostgresNIO: \(error.code)" }
            return "PostgreSQL: \(message) (\(error.serverInfo?[.sqlState] ?? "?"))"
        }
        return String(describing: error)
    }

    private func problem(for error: HTTPError, request: Request) -> Problem {
        switch error.status {
        case .notFound:
            if let allowed = routes.allowedMethods(for: request.uri.path), !allowed.contains(request.method.rawValue) {
                return Problem(
                    .methodNotAllowed, code: "method_not_allowed",
                    detail: "\(request.method.rawValue) is not allowed here; use \(allowed.joined(separator: ", ")).",
                    headers: [.allow: allowed.joined(separator: ", ")])
            }
            return .notFound("No route for \(request.method.rawValue) \(request.uri.path).")
        case .contentTooLarge:
            return Problem(.contentTooLarge, code: "payload_too_large", detail: error.body ?? "The request body is too large.")
        default:
            let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            return Problem(error.status, code: code, detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
        }
    }
}

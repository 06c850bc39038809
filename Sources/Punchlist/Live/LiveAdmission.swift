import Foundation
import Hummingbird

/// A WebSocket connection to `/api/live`, settled before the upgrade: who connects and where their
/// stream starts (``LiveFeed/Start``), or why they are refused. A browser sees nothing of a refused
/// handshake, so a refusal is sent after the upgrade, as a close code and a reason (API.md, section 5).
enum LiveAdmission: Sendable {
    case admitted(Identity, LiveFeed.Start)
    case refused(code: Int, reason: String)

    static func decide(_ request: Request, feed: LiveFeed, authenticator: Authenticator) async -> LiveAdmission {
        let identity: Identity
        switch await authenticator.check(LiveRoutes.token(request)) {
        case .signedIn(let who): identity = who
        // A close frame's reason has room for 123 bytes.
        case .refused(let reason): return .refused(code: 4401, reason: String(reason.utf8.prefix(120)) ?? "unauthorized")
        // Not a refusal: a client told 4401 would sign its user out over a database hiccup.
        case .unanswered: return .databaseDidNotAnswer
        }
        let since: Int64?
        do {
            since = try LiveRoutes.since(request.uri.queryParameters["since"].map(String.init))
        } catch {
            return .refused(code: 4400, reason: "since must be an event id")
        }
        do {
            return .admitted(identity, try await feed.start(userID: identity.userID, since: since))
        } catch {
            return .databaseDidNotAnswer
        }
    }

    /// 1011: the server met a condition it could not handle; the client reconnects as after any drop.
    static let databaseDidNotAnswer = LiveAdmission.refused(code: 1011, reason: "the database did not answer; reconnect")
}

/// Decides the ``LiveAdmission`` of a WebSocket request and hands it to the route in the context.
struct LiveAdmissionMiddleware: RouterMiddleware {
    let feed: LiveFeed
    let authenticator: Authenticator

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.liveAdmission = await LiveAdmission.decide(request, feed: feed, authenticator: authenticator)
        return try await next(request, context)
    }
}

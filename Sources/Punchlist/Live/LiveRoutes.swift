import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// `GET /api/live` (WebSocket) and `GET /api/events` (Server-Sent Events): the same feed.
struct LiveRoutes: Sendable {
    let feed: LiveFeed
    let authenticator: Authenticator

    /// The WebSocket route goes on its own router (the upgrade path); a plain GET of it on the HTTP router is a 426.
    func register(http router: Router<AppRequestContext>, webSocket wsRouter: Router<AppRequestContext>) {
        router.get("/api/live") { _, _ -> Response in
            throw Problem(.upgradeRequired, code: "upgrade_required", detail: "/api/live is a WebSocket: connect with Upgrade: websocket.",
                          headers: [.upgrade: "websocket"])
        }
        let admitted = wsRouter.group("/api/live").add(middleware: LiveAdmissionMiddleware(feed: feed, authenticator: authenticator))
        admitted.ws { inbound, outbound, context in
            let identity: Identity, start: LiveFeed.Start
            switch context.requestContext.liveAdmission ?? .refused(code: 1011, reason: "not admitted") {
            case .admitted(let who, let from): (identity, start) = (who, from)
            case .refused(let code, let reason):
                try await outbound.close(.init(codeNumber: code), reason: reason)
                return
            }
            let channel = context.requestContext.channel
            let end = try await withThrowingTaskGroup(of: Subscription.End?.self) { group in
                // Reading is what answers pings and notices the client leaving.
                group.addTask {
                    for try await _ in inbound {}
                    return nil
                }
                group.addTask {
                    try await feed.run(
                        userID: identity.userID, sessionID: identity.sessionID, from: start,
                        stillSignedIn: { await authenticator.stillSignedIn(identity, token: Self.token(context.request)) },
                        forceClose: { channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) } }
                    ) { message in
                        switch message {
                        case .event(let event): try await outbound.write(.text(String(decoding: event.liveJSON, as: UTF8.self)))
                        case .reset: try await outbound.write(.text(#"{"type":"reset"}"#))
                        case .keepAlive:
                            try await outbound.write(.custom(.init(fin: true, opcode: .ping, data: ByteBuffer(string: "keep-alive"))))
                        }
                    }
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            if let end { try await outbound.close(.init(codeNumber: Int(end.code)), reason: end.reason) }
        }
        router.get("/api/events") { request, context -> Response in
            guard let token = Self.token(request) else { throw Problem.unauthorized() }
            let identity = try await authenticator.identity(for: token)
            let since = try Self.since(request.headers[.lastEventID] ?? request.uri.queryParameters["since"].map(String.init))
            // Before the headers go out: EventSource's `open` fires on them (``LiveFeed/Start``).
            let start = try await feed.start(userID: identity.userID, since: since)
            let channel = context.channel
            let body = ResponseBody { [feed] writer in
                // Tell EventSource to come back after 3 s if the connection drops.
                try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
                _ = try await feed.run(
                    userID: identity.userID, sessionID: identity.sessionID, from: start,
                    stillSignedIn: { await authenticator.stillSignedIn(identity, token: token) },
                    forceClose: { channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) } }
                ) { message in try await writer.write(Self.serverSentEvent(message)) }
                // The stream ended (shutdown, revocation, too slow): EventSource reconnects by itself with Last-Event-ID.
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
                body: body)
        }
    }

    static func serverSentEvent(_ message: LiveFeed.Message) -> ByteBuffer {
        switch message {
        case .event(let event): return EventStream.frame(event.kind.rawValue, id: event.id, data: event.liveJSON)
        case .reset: return ByteBuffer(string: "event: reset\ndata: {\"type\":\"reset\"}\n\n")
        case .keepAlive: return ByteBuffer(string: ": keep-alive\n\n")
        }
    }

    /// The caller's token: a browser cannot set headers on a WebSocket or an EventSource, so it may come in the query string.
    static func token(_ request: Request) -> String? {
        AuthMiddleware.bearerToken(request) ?? request.uri.queryParameters["access_token"].map(String.init)
    }

    /// `since` / `Last-Event-ID`: an event id, or absent.
    static func since(_ text: String?) throws -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int64(text), value >= 0 else { throw Problem.invalidParameter("since", mustBe: "an event id (as Last-Event-ID is)") }
        return value
    }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}

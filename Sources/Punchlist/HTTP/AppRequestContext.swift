import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The per-request context: Hummingbird's core storage, plus who is calling and the request id.
public struct AppRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller, set by the auth middleware on `/api` routes.
    public var identity: Identity?
    /// On `/api/live`: the connection as settled before its upgrade (``LiveAdmissionMiddleware``).
    var liveAdmission: LiveAdmission?
    /// The request id echoed in `X-Request-ID` and logged on every line.
    public var requestID: String = ""
    /// The connection, for the peer's address and for cutting off a live client that stopped reading.
    public let channel: any Channel
    /// Where the WebSocket upgrade keeps its handler.
    public let webSocket = WebSocketHandlerReference<AppRequestContext>()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The peer's address, before any forwarding header is considered.
    public var remoteAddress: SocketAddress? { channel.remoteAddress }

    /// JSON bodies are read by ``JSONBody`` with the route's own limit.
    public var maxUploadSize: Int { 1 << 20 }

    /// The `:id` path parameter as a UUID; anything else names nothing, a 404 saying `notFound`.
    func idParameter(notFound: String) throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(text: text) else { throw Problem.notFound(notFound) }
        return id
    }

    /// The caller, or a 401 when the route was reached without one.
    func requireIdentity() throws -> Identity {
        guard let identity else { throw Problem.unauthorized() }
        return identity
    }
}

/// Who a request acts for: the user, and the session their token belongs to (nil for external tokens).
public struct Identity: Sendable, Equatable {
    public var userID: UUID
    public var sessionID: UUID?
}

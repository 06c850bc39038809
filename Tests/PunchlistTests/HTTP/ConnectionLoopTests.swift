import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

@testable import Punchlist

/// How the server places work on threads (``OnConnectionLoop``, ``SharedPoolMiddleware``), over a real socket.
@Suite struct ConnectionLoopTests {
    /// With PostgreSQL a connection is served on its loop; with SQLite on the shared pool. Bulk routes always on the pool.
    @Test(arguments: [true, false])
    func aRequestRunsOnItsConnectionsEventLoopAndBulkRoutesOnTheSharedPool(onConnectionLoop: Bool) async throws {
        let router = Router(context: AppRequestContext.self)
        @Sendable func place(_ context: AppRequestContext) -> String {
            guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return "shared pool" }
            return loop === context.channel.eventLoop ? "connection's loop" : "another loop"
        }
        router.get("small") { _, context in place(context) }
        router.group().add(middleware: SharedPoolMiddleware()).get("bulk") { _, context in place(context) }
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: Router(context: AppRequestContext.self), configuration: .init(), onConnectionLoop: onConnectionLoop),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            for _ in 0..<3 {
                let small = try await client.execute(uri: "/small", method: .get)
                #expect(String(buffer: small.body) == (onConnectionLoop ? "connection's loop" : "shared pool"))
                let bulk = try await client.execute(uri: "/bulk", method: .get)
                #expect(String(buffer: bulk.body) == "shared pool")
            }
        }
    }
}

import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

extension HTTPServerBuilder {
    /// HTTP/1.1 with WebSocket upgrades, as `.http1WebSocketUpgrade(webSocketRouter:configuration:)`;
    /// `onConnectionLoop`, each connection is served on the event loop that reads and writes its socket.
    ///
    /// Hummingbird runs a connection's requests in a task on Swift's concurrency pool, so every
    /// request crossed threads at least four times: the event loop read it, a pool thread handled
    /// it, PostgreSQL's answer arrived on an event loop and went back to the pool, the response went
    /// back to the event loop. With the connection's task preferring its own event loop, a request
    /// is read, handled and answered on one thread, and PostgreSQL's answer comes to it directly:
    /// 3.5% more requests per second on the mixed workload on PostgreSQL (docs/BENCHMARKS.md,
    /// seventh round). One PostgreSQL pool per loop, to keep the query on that thread too, gained
    /// 1–8% more but made the tail jump now and then, and was taken back (eighth round).
    ///
    /// The price is the one every event-loop server pays: work that holds its thread holds up the
    /// other connections on that loop (`SharedPoolMiddleware` moves such routes off). SQLite's reads
    /// are such work, however short, and there is no database answer to wait for: with SQLite the
    /// tail at 256 connections grew from 0.1–0.2 s to 0.6–0.9 s, so SQLite keeps the shared pool.
    static func http1WebSocketUpgrade<WebSocketRouter: HTTPResponderBuilder & _HB_SendableMetatype>(
        webSocketRouter: WebSocketRouter,
        configuration: HTTP1WebSocketUpgradeChannel.Configuration,
        onConnectionLoop: Bool
    ) -> HTTPServerBuilder where WebSocketRouter.Responder.Context: WebSocketRequestContext {
        guard onConnectionLoop else { return .http1WebSocketUpgrade(webSocketRouter: webSocketRouter, configuration: configuration) }
        let webSocketResponder = webSocketRouter.buildResponder()
        return HTTPServerBuilder { responder in
            OnConnectionLoop(
                connection: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder, configuration: configuration))
        }
    }
}

/// A server's connection handling, run with its channel's event loop as the preferred executor:
/// the connection's task, and every child task and default actor it runs, stay on that loop.
struct OnConnectionLoop<Connection: ServerChildChannel>: ServerChildChannel {
    let connection: Connection

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection.Value> {
        connection.setup(channel: channel, logger: logger)
    }

    func handle(value: Connection.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopExecutor(value.channel.eventLoop)) {
            await connection.handle(value: value, logger: logger)
        }
    }
}

/// An event loop as a task executor: jobs run on the loop's thread, as its tasks. Enqueued from
/// that thread, a job needs no wake-up. (NIO runs all of a loop's queued tasks before it reads
/// its sockets again, which is why long synchronous work does not belong here.)
final class EventLoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}

/// Runs the routes behind it on Swift's shared concurrency pool instead of their connection's event
/// loop: for work that comes in large synchronous pieces, which on the loop would hold up every
/// other connection it serves. A 16 MiB import parses and checks its tasks in one go: on the loop,
/// a `/health` on another connection waited up to half a second for it; on the pool, 4 ms.
struct SharedPoolMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withTaskExecutorPreference(globalConcurrentExecutor) {
            try await next(request, context)
        }
    }
}

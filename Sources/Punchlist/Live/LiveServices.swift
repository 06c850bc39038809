import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Listens on a direct PostgreSQL connection for what other replicas commit (`LISTEN`), and hands
/// it to this process's connections. A dropped connection is re-established with backoff, and then
/// every connection checks the outbox, so nothing committed meanwhile is missed. Sessions that
/// other replicas end leave the session cache here, which is trusted only while listening.
struct PostgresLiveListener: NamedService {
    var description: String { "PostgresLiveListener" }
    let store: PostgresStore
    let hub: LiveHub
    let sessions: SessionCache
    /// Told whether the listener holds its connection: the process's sign that the database answers.
    let reachability: DatabaseReachability?
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var pause = Duration.milliseconds(250)
            while !Task.isCancelled {
                do {
                    try await store.withDirectConnection { connection in
                        try await connection.listen(on: LiveSignal.channel) { notifications in
                            sessions.trust(true)
                            reachability?.listenerConnected(true)
                            defer {
                                sessions.trust(false)
                                reachability?.listenerConnected(false)
                            }
                            hub.catchUpAll()
                            pause = .milliseconds(250)
                            for try await notification in notifications {
                                guard let signal = LiveSignal(payload: notification.payload) else { continue }
                                sessions.receive(signal)
                                hub.receive(signal)
                            }
                        }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("live listener lost its PostgreSQL connection; reconnecting", metadata: ["retry_in": "\(pause)"])
                }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(10))
            }
        }
    }
}

/// On shutdown, before the HTTP server stops: closes every live connection with 1001 (going away)
/// so clients reconnect to another replica, and gives them a moment to go.
struct LiveConnectionsCloser: NamedService {
    var description: String { "LiveConnectionsCloser" }
    let hub: LiveHub

    func run() async throws {
        try? await gracefulShutdown()
        hub.closeAll()
        let deadline = ContinuousClock.now + .seconds(3)
        while hub.count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

import Foundation
import Synchronization

/// One live connection's mailbox: a bounded queue of what happened, so a client that cannot keep
/// up is cut off (and may resume with `since`) instead of growing the server's memory.
final class Subscription: Sendable {
    /// What wakes the connection.
    enum Signal: Sendable {
        /// Events committed in this process, ready to send.
        case events([TaskEvent])
        /// The outbox has events up to this id (from another replica, or after a listener reconnect).
        case hint(Int64)
        /// Time to send a keep-alive.
        case tick
    }

    /// Why a connection ends: a WebSocket close code and a reason a person can read.
    struct End: Sendable, Equatable {
        var code: UInt16
        var reason: String

        static let goingAway = End(code: 1001, reason: "server shutting down; reconnect with since")
        static let sessionEnded = End(code: 4401, reason: "session ended; sign in again")
        static let tooSlow = End(code: 1008, reason: "client too slow to keep up; reconnect with since")
    }

    /// How many signals may wait before the connection counts as too slow.
    static let capacity = 256

    let id: Int
    let userID: UUID
    let sessionID: UUID?
    let signals: AsyncStream<Signal>
    private let continuation: AsyncStream<Signal>.Continuation
    private let ending = Mutex<End?>(nil)
    /// Cuts the connection without ceremony: for a client that stopped reading, whose socket a close frame cannot reach.
    private let forceClose: @Sendable () -> Void

    init(id: Int, userID: UUID, sessionID: UUID?, forceClose: @escaping @Sendable () -> Void) {
        self.id = id
        self.userID = userID
        self.sessionID = sessionID
        self.forceClose = forceClose
        (signals, continuation) = AsyncStream.makeStream(of: Signal.self, bufferingPolicy: .bufferingOldest(Self.capacity))
    }

    /// Queues a signal; a full queue ends the subscription as too slow.
    func send(_ signal: Signal) {
        if case .dropped = continuation.yield(signal) {
            end(.tooSlow)
            forceClose()
        }
    }

    /// Ends the subscription once, for `reason`; the connection closes when it has seen the end.
    func end(_ reason: End) {
        let first = ending.withLock { ending in
            guard ending == nil else { return false }
            ending = reason
            return true
        }
        if first { continuation.finish() }
    }

    /// Why the subscription ended, if it has.
    var endReason: End? { ending.withLock { $0 } }
}

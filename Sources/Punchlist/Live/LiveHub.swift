import Foundation
import Metrics
import Synchronization

/// This process's live connections, by user: hands each change to every connection of its user.
/// Across replicas, the PostgreSQL listener feeds it what other replicas committed.
final class LiveHub: Sendable {
    private struct State {
        var byUser: [UUID: [Int: Subscription]] = [:]
        var nextID = 0
        var closing = false
    }

    private let state = Mutex(State())
    private let connections = Gauge(label: "punchlist_live_connections")

    /// Registers a connection; events committed from now on are queued for it.
    func subscribe(userID: UUID, sessionID: UUID?, forceClose: @escaping @Sendable () -> Void) -> Subscription {
        let (subscription, count, closing) = state.withLock { state in
            state.nextID += 1
            let subscription = Subscription(id: state.nextID, userID: userID, sessionID: sessionID, forceClose: forceClose)
            state.byUser[userID, default: [:]][subscription.id] = subscription
            return (subscription, state.byUser.values.reduce(0) { $0 + $1.count }, state.closing)
        }
        connections.record(count)
        if closing { subscription.end(.goingAway) }
        return subscription
    }

    func unsubscribe(_ subscription: Subscription) {
        let count = state.withLock { state in
            state.byUser[subscription.userID]?[subscription.id] = nil
            if state.byUser[subscription.userID]?.isEmpty == true { state.byUser[subscription.userID] = nil }
            return state.byUser.values.reduce(0) { $0 + $1.count }
        }
        connections.record(count)
    }

    /// Hands committed events to their users' connections. A large batch (an import) travels as a
    /// hint, and each connection reads it from the outbox a page at a time, so no queue holds it whole.
    func publish(_ events: [TaskEvent]) {
        for (userID, userEvents) in Dictionary(grouping: events, by: \.userID) {
            let signal: Subscription.Signal = userEvents.count <= 32 ? .events(userEvents) : .hint(userEvents.map(\.id).max() ?? 0)
            for subscription in subscriptions(of: userID) { subscription.send(signal) }
        }
    }

    /// Acts on a signal from another replica (or this one, through PostgreSQL).
    func receive(_ signal: LiveSignal) {
        switch signal {
        case .events(let userID, let latest):
            for subscription in subscriptions(of: userID) { subscription.send(.hint(latest)) }
        case .sessionEnded(let session):
            for subscription in all() where subscription.sessionID == session { subscription.end(.sessionEnded) }
        case .userSessionsEnded(let userID, let except):
            for subscription in subscriptions(of: userID) where subscription.sessionID == nil || subscription.sessionID != except {
                subscription.end(.sessionEnded)
            }
        }
    }

    /// After notifications may have been missed (a listener reconnected), every connection checks the outbox.
    func catchUpAll() {
        for subscription in all() { subscription.send(.hint(Int64.max)) }
    }

    /// Ends every connection with 1001 so clients reconnect elsewhere, and refuses new ones.
    func closeAll() {
        state.withLock { $0.closing = true }
        for subscription in all() { subscription.end(.goingAway) }
    }

    var count: Int { state.withLock { $0.byUser.values.reduce(0) { $0 + $1.count } } }

    private func subscriptions(of userID: UUID) -> [Subscription] {
        state.withLock { Array(($0.byUser[userID] ?? [:]).values) }
    }

    private func all() -> [Subscription] {
        state.withLock { $0.byUser.values.flatMap(\.values) }
    }
}

import Foundation
import Synchronization

/// Sessions this process has lately found valid, so that most requests authenticate without
/// reading the session row. Revocation stays immediate because every way a session ends reaches
/// ``receive(_:)`` before the request that ended it answers: on this process from
/// ``AccountService/sessionsEnded``, and from other replicas through PostgreSQL's `NOTIFY`
/// (``PostgresLiveListener``). That is why, with PostgreSQL, the cache is trusted only while the
/// listener is connected: while it is not, every request reads its session again.
final class SessionCache: Sendable {
    private struct Entry {
        let userID: UUID
        let expiresAt: Date
        let cachedAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [UUID: Entry] = [:]
        /// Changes whenever sessions end, so that a read which raced with an end is not remembered.
        var generation: UInt64 = 0
        var trusted: Bool
    }

    private let state: Mutex<State>
    /// How long an entry is used before the session row is read again.
    let lifetime: Duration
    /// Past this many entries the cache starts over.
    let capacity: Int

    init(trusted: Bool, lifetime: Duration = .seconds(60), capacity: Int = 100_000) {
        self.state = Mutex(State(trusted: trusted))
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// Whether the session is known to be live, to belong to `userID` and not to have expired at `now`.
    func isLive(_ sessionID: UUID, userID: UUID, at now: Date) -> Bool {
        let clock = ContinuousClock.now
        return state.withLock { state in
            guard state.trusted, let entry = state.entries[sessionID] else { return false }
            guard entry.userID == userID, entry.expiresAt > now, clock - entry.cachedAt < lifetime else {
                state.entries[sessionID] = nil
                return false
            }
            return true
        }
    }

    /// Read this before reading a session row, and hand it to ``remember(_:readAt:)``.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Keeps a live session found in the database, unless sessions ended since `generation`.
    func remember(_ session: Session, readAt generation: UInt64) {
        let clock = ContinuousClock.now
        state.withLock { state in
            guard state.trusted, state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[session.id] = Entry(userID: session.userID, expiresAt: session.expiresAt, cachedAt: clock)
        }
    }

    /// Forgets sessions that ended (logout, password change, account deletion).
    func receive(_ signal: LiveSignal) {
        switch signal {
        case .events:
            return
        case .sessionEnded(let sessionID):
            state.withLock { state in
                state.generation &+= 1
                state.entries[sessionID] = nil
            }
        case .userSessionsEnded(let userID, let except):
            state.withLock { state in
                state.generation &+= 1
                state.entries = state.entries.filter { $0.value.userID != userID || $0.key == except }
            }
        }
    }

    /// Starts or stops trusting the cache; either way it starts empty.
    func trust(_ trusted: Bool) {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll()
            state.trusted = trusted
        }
    }
}

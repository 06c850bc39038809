import Synchronization

/// Whether PostgreSQL is known to answer: it is while the live listener (``PostgresLiveListener``)
/// holds its connection, and in doubt otherwise (before it first connects, and from when that
/// connection drops until it is back).
///
/// While it is in doubt, every store operation gets ``MeteredStore/inDoubtLimit`` and then fails
/// as unavailable (503): PostgresNIO's pool keeps a request that waits for a connection waiting for
/// as long as the database is away. Nothing is timed while it answers, which is nearly always.
final class DatabaseReachability: Sendable {
    private let listening = Atomic<Bool>(false)

    var inDoubt: Bool { !listening.load(ordering: .relaxed) }

    func listenerConnected(_ connected: Bool) { listening.store(connected, ordering: .relaxed) }
}

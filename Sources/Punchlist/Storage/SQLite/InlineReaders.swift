import Foundation
import GRDB
import Synchronization

/// Read-only connections that the short, frequent reads (one task, a page of tasks, a session, a
/// user) use on the calling thread. `DatabasePool.read` hops to the pool's queue of waiters, then
/// to a reader's queue, then back: three thread switches that cost more than the read itself
/// (docs/BENCHMARKS.md).
///
/// A read here takes a connection that is free at that instant and never waits for one: when
/// all are busy, ``SQLiteStore/read(_:)`` goes through the pool as before. So a thread of Swift's
/// cooperative pool never blocks on anything but SQLite's own work. That matters: a pool read
/// gives its reader back only once its task runs again on the cooperative pool, so a thread
/// there that waited for a pool reader could wait forever (seen when every read was synchronous).
///
/// Unlike the pool's readers, these connections do not notice a schema change made by another
/// connection (GRDB clears its caches only for pool reads): the schema must not change after the
/// first read. It does not: migrations run at start, before any request, and one process owns
/// the SQLite file.
final class InlineReaders: Sendable {
    private let path: String
    private let configuration: Configuration
    /// At most as many as the cooperative pool has threads: more could never be in use at once.
    let capacity: Int
    private let state = Mutex(State())

    private struct State {
        var free: [DatabaseQueue] = []
        var opened = 0
        var closed = false
    }

    init(path: String, configuration: Configuration, capacity: Int = ProcessInfo.processInfo.activeProcessorCount) {
        var configuration = configuration
        // As GRDB's own pool readers: no writes, and no `PRAGMA query_only` around each read.
        configuration.readonly = true
        self.path = path
        self.configuration = configuration
        self.capacity = max(1, capacity)
    }

    /// Runs `value` in a read transaction on a free connection, or returns nil at once when none is free.
    func read<T>(_ value: (Database) throws -> T) throws -> T? {
        guard let connection = try take() else { return nil }
        defer { giveBack(connection) }
        return try connection.read(value)
    }

    /// Closes the free connections; later reads go to the pool (which is closed too by then).
    func close() {
        let connections = state.withLock { state in
            state.closed = true
            defer { state.free = [] }
            return state.free
        }
        for connection in connections { try? connection.close() }
    }

    private enum Take {
        case free(DatabaseQueue)
        case open
        case none
    }

    private func take() throws -> DatabaseQueue? {
        let take: Take = state.withLock { state in
            if state.closed { return .none }
            if let connection = state.free.popLast() { return .free(connection) }
            guard state.opened < capacity else { return .none }
            state.opened += 1
            return .open
        }
        switch take {
        case .free(let connection): return connection
        case .none: return nil
        case .open:
            // Opened outside the lock: opening a file takes a while, and may fail (then it is not counted).
            do {
                return try DatabaseQueue(path: path, configuration: configuration)
            } catch {
                state.withLock { $0.opened -= 1 }
                throw error
            }
        }
    }

    private func giveBack(_ connection: DatabaseQueue) {
        let keep = state.withLock { state in
            guard !state.closed else { return false }
            state.free.append(connection)
            return true
        }
        if !keep { try? connection.close() }
    }
}

import Foundation
import PostgresNIO

/// A change to tasks as one statement: the change itself (data-modifying `WITH` parts), then its
/// events, numbered from the user's counter, written to the outbox and announced to every replica
/// (`NOTIFY`, delivered on commit). One statement is atomic without `BEGIN`/`COMMIT`, and it is one
/// round trip where a transaction of the same steps took six.
struct TaskWrite {
    let userID: UUID
    /// The events the change makes, in order; their numbers come from the counter.
    let events: [(kind: TaskEvent.Kind, task: TaskItem)]
    private(set) var binds = PostgresBindings()
    /// `name AS (…)` parts that make the change.
    var changes: [String] = []
    /// SQL that is true when the change happened; when false (the task moved on in between), the
    /// counter, the outbox and the replicas are left alone.
    var happened = "true"

    init(userID: UUID, events: [(kind: TaskEvent.Kind, task: TaskItem)]) {
        self.userID = userID
        self.events = events
    }

    /// Adds a value to the statement; returns its placeholder, such as `$3`.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Runs the statement with `query`; the events, numbered, or nil when the change did not happen.
    func runIfHappened(_ query: (PostgresQuery) async throws -> PostgresRowSequence) async throws -> [TaskEvent]? {
        var write = self
        let at = Date().roundedToMilliseconds
        let count = write.bind(Int64(events.count)), user = write.bind(userID)
        let json = events.map { $0.kind == .deleted ? nil : String(decoding: $0.task.json, as: UTF8.self) }
        let statement = """
            WITH \(changes.joined(separator: ",\n")),
            counter AS (
                UPDATE users SET last_event_id = last_event_id + \(count) WHERE id = \(user) AND (\(happened)) RETURNING last_event_id
            ),
            outbox AS (
                INSERT INTO events (user_id, id, type, task_id, task, at)
                SELECT \(user), counter.last_event_id - \(count) + e.n, e.type, e.task_id, NULLIF(e.task, ''), \(write.bind(at))
                FROM counter, unnest(\(write.bind(events.map(\.kind.rawValue)))::text[], \(write.bind(events.map(\.task.id)))::uuid[],
                    \(write.bind(json.map { $0 ?? "" }))::text[])
                    WITH ORDINALITY AS e(type, task_id, task, n)
            )
            SELECT last_event_id, pg_notify(\(write.bind(LiveSignal.channel)), \(write.bind(LiveSignal.eventsPrefix(userID))) || last_event_id)
            FROM counter
            """
        var last: Int64?
        for try await value in try await query(PostgresQuery(unsafeSQL: statement, binds: write.binds)).decode(Int64.self) { last = value }
        guard let last else { return nil }
        let first = last - Int64(events.count) + 1
        return events.indices.map { index in
            TaskEvent(
                id: first + Int64(index), userID: userID, kind: events[index].kind, taskID: events[index].task.id, taskJSON: json[index], at: at)
        }
    }

    /// Runs a change that always happens (creating tasks): its events, numbered.
    func run(_ query: (PostgresQuery) async throws -> PostgresRowSequence) async throws -> [TaskEvent] {
        // No row: the user is gone (deleted in between).
        guard let events = try await runIfHappened(query) else { throw StoreError.unavailable }
        return events
    }
}

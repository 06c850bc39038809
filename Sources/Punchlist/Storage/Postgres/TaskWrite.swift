import Foundation
import Logging
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
    /// The shape whose prepared statement this write is, if it is one (see ``TaskWriteShape``).
    var shape: (any TaskWriteShape.Type)?

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

    /// The whole statement, its values, and the events it makes once the counter's last number is known.
    func statement() -> (sql: String, binds: PostgresBindings, events: (_ last: Int64) -> [TaskEvent]) {
        var write = self
        let at = Date().roundedToMilliseconds
        let count = write.bind(Int64(events.count)), user = write.bind(userID)
        let json = events.map { $0.kind == .deleted ? nil : String(decoding: $0.task.json, as: UTF8.self) }
        let sql = """
            WITH \(changes.joined(separator: ",\n")),
            counter AS (
                UPDATE users SET last_event_id = last_event_id + \(count)::int8 WHERE id = \(user)::uuid AND (\(happened)) RETURNING last_event_id
            ),
            outbox AS (
                INSERT INTO events (user_id, id, type, task_id, task, at)
                SELECT \(user)::uuid, counter.last_event_id - \(count)::int8 + e.n, e.type, e.task_id, NULLIF(e.task, ''), \(write.bind(at))::timestamptz
                FROM counter, unnest(\(write.bind(events.map(\.kind.rawValue)))::text[], \(write.bind(events.map(\.task.id)))::uuid[],
                    \(write.bind(json.map { $0 ?? "" }))::text[])
                    WITH ORDINALITY AS e(type, task_id, task, n)
            )
            SELECT last_event_id, pg_notify(\(write.bind(LiveSignal.channel))::text, \(write.bind(LiveSignal.eventsPrefix(userID)))::text || last_event_id)
            FROM counter
            """
        let (userID, events) = (userID, events)
        return (sql, write.binds, { last in
            let first = last - Int64(events.count) + 1
            return events.indices.map { index in
                TaskEvent(
                    id: first + Int64(index), userID: userID, kind: events[index].kind, taskID: events[index].task.id, taskJSON: json[index],
                    at: at)
            }
        })
    }

    /// Runs the statement, prepared when it has a shape; the events, numbered, or nil when the change did not happen.
    func runIfHappened(on client: PostgresClient, logger: Logger) async throws -> [TaskEvent]? {
        let (sql, binds, events) = statement()
        let last: Int64?
        if let shape, shape.sql == sql {
            last = try await shape.execute(binds, on: client, logger: logger)
        } else {
            last = try await Self.lastEventID(in: client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger))
        }
        return last.map(events)
    }

    /// Runs the statement on a connection (inside a transaction), unprepared.
    func runIfHappened(on connection: PostgresConnection, logger: Logger) async throws -> [TaskEvent]? {
        let (sql, binds, events) = statement()
        return try await Self.lastEventID(in: connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)).map(events)
    }

    /// The user's last event id, which the statement returns when the change happened.
    private static func lastEventID(in rows: PostgresRowSequence) async throws -> Int64? {
        var last: Int64?
        for try await value in rows.decode(Int64.self) { last = value }
        return last
    }
}

/// A kind of ``TaskWrite`` whose text never changes, only its values: prepared once per pooled
/// connection, so PostgreSQL plans it once rather than on every write (PostgresNIO sends `Parse`
/// on a connection's first use, then only `Bind` and `Execute`).
protocol TaskWriteShape {
    /// The statement's text, made once from a template write of this shape.
    static var sql: String { get }
    /// Its name on each connection.
    static var name: String { get }
}

extension TaskWriteShape {
    static func execute(_ binds: PostgresBindings, on client: PostgresClient, logger: Logger) async throws -> Int64? {
        var last: Int64?
        for try await value in try await client.execute(PreparedTaskWrite<Self>(binds: binds), logger: logger) { last = value }
        return last
    }
}

struct PreparedTaskWrite<Shape: TaskWriteShape>: PostgresPreparedStatement {
    static var sql: String { Shape.sql }
    static var name: String { Shape.name }
    let binds: PostgresBindings

    func makeBindings() throws -> PostgresBindings { binds }
    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

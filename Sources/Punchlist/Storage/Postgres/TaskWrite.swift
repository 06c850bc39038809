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
    /// The values bound so far, encoded one after another into one buffer, and how to read them
    /// back (a length of nil is NULL); ``binds`` hands them out as slices of it.
    private var values = ByteBuffer()
    private var bound: [(type: PostgresDataType, format: PostgresFormat, length: Int?)] = []
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

    /// Adds a value to the statement, encoded as PostgresNIO's `PostgresBindings` would; returns its
    /// placeholder, such as `$3`.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        if let value {
            let start = values.writerIndex
            value.encode(into: &values, context: .default)
            bound.append((value.psqlType, value.psqlFormat, values.writerIndex - start))
        } else {
            bound.append((.null, .binary, nil))
        }
        return "$\(bound.count)"
    }

    /// The values bound, in order.
    var binds: [PostgresData] {
        var offset = values.readerIndex
        return bound.map { value in
            defer { offset += value.length ?? 0 }
            return PostgresData(type: value.type, formatCode: value.format, value: value.length.flatMap { values.getSlice(at: offset, length: $0) })
        }
    }

    /// The whole statement, its values, and the events it makes once the counter's last number is known.
    func statement() -> (sql: String, binds: [PostgresData], events: (_ last: Int64) -> [TaskEvent]) {
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
    func runIfHappened(on client: PostgresClient, prepared: PreparedQueries, logger: Logger) async throws -> [TaskEvent]? {
        let (sql, binds, events) = statement()
        if let shape, shape.sql == sql {
            return try await Self.lastEventID(in: prepared.rows(shape, binds, on: client), binaryResults: true).map(events)
        }
        return try await Self.lastEventID(in: client.allRows(Self.query(sql, binds), logger: logger), binaryResults: false).map(events)
    }

    /// Runs the statement on a connection (inside a transaction), unprepared.
    func runIfHappened(on connection: PostgresConnection, logger: Logger) async throws -> [TaskEvent]? {
        let (sql, binds, events) = statement()
        return try await Self.lastEventID(in: connection.allRows(Self.query(sql, binds), logger: logger), binaryResults: false).map(events)
    }

    private static func query(_ sql: String, _ binds: [PostgresData]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds { bindings.append(bind) }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// The user's last event id, which the statement returns when the change happened.
    private static func lastEventID(in rows: some Collection<PostgresRow>, binaryResults: Bool) throws -> Int64? {
        guard let row = rows.first else { return nil }
        var cells = TaskCells(row.makeIterator(), binaryResults: binaryResults)
        return try cells.optionalInteger(Int64.self)
    }
}

/// A kind of ``TaskWrite`` whose text never changes, only its values, made once from a template
/// write of this shape (PreparedStatements.swift).
protocol TaskWriteShape: PreparedSQL {}

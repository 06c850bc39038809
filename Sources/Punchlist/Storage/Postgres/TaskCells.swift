import Foundation
import PostgresNIO

/// The cells of a task row, read in turn straight from PostgreSQL's binary format. PostgresNIO's
/// own decoding, generic over every type, was the largest part of the list route (a seventh of
/// its CPU, most of it reference counting and type metadata look-ups); a cell of any other type
/// or format than expected still goes through it.
struct TaskCells {
    var iterator: PostgresRow.Iterator
    /// Whether the cells are in the binary format whatever their label says (``PreparedQueries``).
    let binaryResults: Bool
    init(_ iterator: PostgresRow.Iterator, binaryResults: Bool = false) {
        self.iterator = iterator
        self.binaryResults = binaryResults
    }

    /// The task of `userID` (whose reads name it in their `WHERE`) in the next cells, which are
    /// ``TaskListSQL/taskColumns`` in that order.
    mutating func task(userID: UUID) throws -> TaskItem {
        TaskItem(
            id: try uuid(), userID: userID, title: try text(), description: try text(), completed: try bool(),
            priority: TaskItem.Priority(rank: Int(try integer(Int16.self))) ?? .none, tags: try texts(), dueAt: try timestamp(),
            recurrence: try optionalText().flatMap(TaskItem.Recurrence.init(rawValue:)),
            anchorDay: try optionalInteger(Int16.self).map(Int.init), createdAt: try timestamp() ?? Date(milliseconds: 0),
            updatedAt: try timestamp() ?? Date(milliseconds: 0), completedAt: try timestamp(), version: Int(try integer(Int32.self)))
    }

    private mutating func cell() throws -> PostgresCell {
        guard var cell = iterator.next() else { throw StoreError.unavailable }
        if binaryResults { cell.format = .binary }
        return cell
    }

    mutating func bool() throws -> Bool {
        let cell = try cell()
        guard cell.format == .binary, cell.dataType == .bool, let bytes = cell.bytes, bytes.readableBytes == 1 else {
            return try cell.decode(Bool.self, context: .default)
        }
        return bytes.withUnsafeReadableBytes { $0[0] != 0 }
    }

    mutating func double() throws -> Double {
        let cell = try cell()
        guard cell.format == .binary, cell.dataType == .float8, var bytes = cell.bytes, bytes.readableBytes == 8,
            let bits = bytes.readInteger(as: UInt64.self)
        else { return try cell.decode(Double.self, context: .default) }
        return Double(bitPattern: bits)
    }

    mutating func uuid() throws -> UUID {
        let cell = try cell()
        guard cell.format == .binary, cell.dataType == .uuid, let bytes = cell.bytes, bytes.readableBytes == 16 else {
            return try cell.decode(UUID.self, context: .default)
        }
        return bytes.withUnsafeReadableBytes { b in
            UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        }
    }

    mutating func optionalText() throws -> String? {
        let cell = try cell()
        guard cell.format == .binary, cell.dataType == .text || cell.dataType == .varchar else {
            return try cell.decode(String?.self, context: .default)
        }
        return cell.bytes.map { String(buffer: $0) }
    }

    mutating func text() throws -> String {
        guard let text = try optionalText() else { throw StoreError.unavailable }
        return text
    }

    mutating func optionalInteger<Integer: FixedWidthInteger & PostgresDecodable>(_ type: Integer.Type) throws -> Integer?
    where Integer._DecodableType == Integer {
        let cell = try cell()
        let expected: PostgresDataType = Integer.bitWidth == 16 ? .int2 : Integer.bitWidth == 32 ? .int4 : .int8
        guard cell.format == .binary, cell.dataType == expected else { return try cell.decode(Integer?.self, context: .default) }
        guard var bytes = cell.bytes else { return nil }
        guard bytes.readableBytes == Integer.bitWidth / 8, let value = bytes.readInteger(as: Integer.self) else { throw StoreError.unavailable }
        return value
    }

    mutating func integer<Integer: FixedWidthInteger & PostgresDecodable>(_ type: Integer.Type) throws -> Integer
    where Integer._DecodableType == Integer {
        guard let value = try optionalInteger(type) else { throw StoreError.unavailable }
        return value
    }

    /// A `timestamptz`: microseconds since 2000-01-01 UTC, kept to the millisecond as Punchlist writes them.
    mutating func timestamp() throws -> Date? {
        let cell = try cell()
        guard cell.format == .binary, cell.dataType == .timestamptz else {
            return try cell.decode(Date?.self, context: .default)?.roundedToMilliseconds
        }
        guard var bytes = cell.bytes else { return nil }
        guard bytes.readableBytes == 8, let microseconds = bytes.readInteger(as: Int64.self) else { throw StoreError.unavailable }
        let milliseconds = microseconds >= 0 ? (microseconds + 500) / 1000 : -((-microseconds + 500) / 1000)
        return Date(milliseconds: milliseconds + 946_684_800_000)
    }

    /// A one-dimensional `text[]` without NULLs, as tags are kept.
    mutating func texts() throws -> [String] {
        let cell = try cell()
        guard cell.format == .binary, cell.dataType == .textArray, var bytes = cell.bytes else {
            return try cell.decode([String].self, context: .default)
        }
        guard let dimensions = bytes.readInteger(as: Int32.self), bytes.readInteger(as: Int32.self) != nil,
            bytes.readInteger(as: UInt32.self) != nil
        else { throw StoreError.unavailable }
        guard dimensions == 1 else {
            guard dimensions == 0 else { throw StoreError.unavailable }
            return []
        }
        guard let count = bytes.readInteger(as: Int32.self), count >= 0, bytes.readInteger(as: Int32.self) != nil else {
            throw StoreError.unavailable
        }
        var texts: [String] = []
        texts.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = bytes.readInteger(as: Int32.self), length >= 0, let text = bytes.readString(length: Int(length)) else {
                throw StoreError.unavailable
            }
            texts.append(text)
        }
        return texts
    }
}

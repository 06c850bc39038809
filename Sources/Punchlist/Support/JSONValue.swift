import Foundation

/// Any JSON value, as a request body is first read: so that unknown fields, `null` and wrong
/// types can each be named precisely instead of failing a whole `Decodable`.
enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses one JSON document; nil when the bytes are not JSON. UTF-8 goes to ``JSONParser``;
    /// what it refuses and could be another encoding (a byte-order mark, or a zero byte among the
    /// first four: UTF-16 or UTF-32) goes to `JSONDecoder`, which reads those, as it always did.
    static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        let parsed = bytes.withContiguousStorageIfAvailable(JSONParser.parse) ?? Array(bytes).withUnsafeBufferPointer(JSONParser.parse)
        if let parsed { return parsed }
        guard let first = bytes.first, [0xEF, 0xFE, 0xFF].contains(first) || bytes.prefix(4).contains(0) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The JSON type's name, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A field of a JSON object: missing, explicitly `null`, or present.
enum FieldValue<Value> {
    case absent
    case null
    case value(Value)

    var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }
}

/// Reads the fields of one JSON object, collecting every problem (unknown fields, wrong types)
/// instead of stopping at the first, so a client learns all it must fix at once.
struct ObjectReader {
    private let members: [String: JSONValue]
    private let prefix: String
    private(set) var errors: [Problem.FieldError] = []

    /// Reads `value` as an object allowing only `fields`; anything else is reported by name.
    init(_ value: JSONValue, fields: Set<String>, path prefix: String = "") {
        self.prefix = prefix
        guard case .object(let members) = value else {
            self.members = [:]
            errors.append(.init(field: prefix, message: "must be a JSON object, not \(value.typeName)"))
            return
        }
        self.members = members
        for name in members.keys.sorted() where !fields.contains(name) {
            errors.append(.init(field: path(name), message: "is not a known field"))
        }
    }

    func path(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    mutating func fail(_ name: String, _ message: String) {
        errors.append(.init(field: path(name), message: message))
    }

    mutating func string(_ name: String) -> FieldValue<String> {
        field(name, expected: "a string") { if case .string(let text) = $0 { text } else { nil } }
    }

    mutating func bool(_ name: String) -> FieldValue<Bool> {
        field(name, expected: "a boolean") { if case .bool(let flag) = $0 { flag } else { nil } }
    }

    mutating func number(_ name: String) -> FieldValue<Double> {
        field(name, expected: "a number") { if case .number(let number) = $0 { number } else { nil } }
    }

    mutating func strings(_ name: String) -> FieldValue<[String]> {
        field(name, expected: "an array of strings") { value in
            guard case .array(let items) = value else { return nil }
            let strings = items.compactMap { item -> String? in if case .string(let text) = item { text } else { nil } }
            return strings.count == items.count ? strings : nil
        }
    }

    /// Whether the member is present at all (even as `null`).
    func has(_ name: String) -> Bool { members[name] != nil }

    private mutating func field<Value>(_ name: String, expected: String, _ cast: (JSONValue) -> Value?) -> FieldValue<Value> {
        guard let raw = members[name] else { return .absent }
        if raw == .null { return .null }
        guard let value = cast(raw) else {
            fail(name, "must be \(expected), not \(raw.typeName)")
            return .absent
        }
        return .value(value)
    }
}

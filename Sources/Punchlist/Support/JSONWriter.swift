import Foundation

/// Writes JSON straight into bytes: the hot paths (pages of tasks, events) skip `JSONEncoder`.
///
/// Each value goes in with one reservation of room and a store per byte (``JSONPieces``) rather than
/// an `append` per piece: a page of 50 tasks has some 700 values, and the appends' uniqueness and
/// capacity checks were most of the cost of writing it (BENCHMARKS.md, thirteenth round).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the value written next in the current object or array needs a comma before it.
    private var needsComma = false
    /// The same for each enclosing object or array, outermost first.
    private var enclosing: [Bool] = []

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() { begin(UInt8(ascii: "{")) }
    mutating func endObject() { end(UInt8(ascii: "}")) }
    mutating func beginArray() { begin(UInt8(ascii: "[")) }
    mutating func endArray() { end(UInt8(ascii: "]")) }

    private mutating func begin(_ bracket: UInt8) {
        value(length: 1) { $0.append(bracket) }
        enclosing.append(needsComma)
        needsComma = false
    }

    private mutating func end(_ bracket: UInt8) {
        needsComma = enclosing.removeLast()
        bytes.append(bracket)
    }

    /// Writes `"name":`; the value written next belongs to it.
    mutating func key(_ name: StaticString) {
        value(length: name.utf8CodeUnitCount + 3) { out in
            out.append(UInt8(ascii: "\""))
            JSONPieces.ascii(name, to: &out)
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
        }
        needsComma = false
    }

    /// Writes `"name":` for a name known only at run time.
    mutating func dynamicKey(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func string(_ value: String) {
        self.value(length: JSONPieces.length(of: value)) { JSONPieces.string(value, to: &$0) }
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func date(_ value: Date?) {
        self.value(length: JSONPieces.dateLength) { JSONPieces.date(value, to: &$0) }
    }

    /// A UUID as lower-case text, written without making a `String` first.
    mutating func uuid(_ value: UUID) {
        self.value(length: JSONPieces.uuidLength) { JSONPieces.uuid(value, to: &$0) }
    }

    mutating func bool(_ value: Bool) {
        self.value(length: 5) { JSONPieces.ascii(value ? "true" : "false", to: &$0) }
    }

    mutating func null() {
        value(length: 4) { JSONPieces.ascii("null", to: &$0) }
    }

    mutating func integer<Number: BinaryInteger>(_ value: Number) {
        guard let value = Int64(exactly: value) else { return json(String(value).utf8) }
        self.value(length: JSONPieces.integerLength) { JSONPieces.integer(value, to: &$0) }
    }

    /// Inserts already-encoded JSON as one value.
    mutating func json(_ encoded: some Collection<UInt8>) {
        if separate() { bytes.append(UInt8(ascii: ",")) }
        bytes.append(contentsOf: encoded)
    }

    /// Writes one value of at most `length` bytes, after a comma if one is due: the room is reserved
    /// once, and `write` fills it with ``JSONPieces``.
    mutating func value(length: Int, _ write: (inout OutputSpan<UInt8>) -> Void) {
        let comma = separate()
        bytes.append(addingCapacity: length + 1) { out in
            if comma { out.append(UInt8(ascii: ",")) }
            write(&out)
        }
    }

    /// Whether the value about to be written needs a comma before it; the one after it will.
    private mutating func separate() -> Bool {
        defer { needsComma = true }
        return needsComma
    }
}

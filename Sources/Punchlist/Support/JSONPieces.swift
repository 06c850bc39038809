import Foundation

/// Pieces of JSON written into room already reserved for them (`Array.append(addingCapacity:)`'s
/// `OutputSpan`), with no capacity or uniqueness check of the array in between. ``JSONWriter`` writes
/// every value through these, and an object of a fixed shape on a hot path (a task in a page of 50)
/// reserves its whole length once and writes all of its pieces into it.
///
/// Each piece checks once that its bytes fit, then stores them through the span's buffer:
/// `OutputSpan.append` checks every byte, about ten instructions each (BENCHMARKS.md, thirteenth round).
enum JSONPieces {
    /// ASCII known at compile time, such as `,"title":`.
    static func ascii(_ text: StaticString, to out: inout OutputSpan<UInt8>) {
        text.withUTF8Buffer { copy($0, to: &out) }
    }

    /// How many bytes ``string(_:to:)`` writes for `value`, quotes included.
    static func length(of value: String) -> Int {
        var value = value
        return value.withUTF8 { utf8 in
            var length = utf8.count + 2
            for byte in utf8 where needsEscape(byte) { length += escape(byte).utf8CodeUnitCount - 1 }
            return length
        }
    }

    /// `value` as a JSON string, quoted and escaped; `out` has room for ``length(of:)`` bytes.
    static func string(_ value: String, to out: inout OutputSpan<UInt8>) {
        var value = value
        out.append(UInt8(ascii: "\""))
        value.withUTF8 { utf8 in
            // Nearly every string needs no escape, and is copied in one go.
            guard utf8.contains(where: needsEscape) else { return copy(utf8, to: &out) }
            for byte in utf8 {
                if needsEscape(byte) { ascii(escape(byte), to: &out) } else { out.append(byte) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// The escape JSON has for a byte that cannot stand for itself in a string.
    private static func escape(_ byte: UInt8) -> StaticString {
        switch byte {
        case UInt8(ascii: "\""): "\\\""
        case UInt8(ascii: "\\"): "\\\\"
        case 0x0A: "\\n"
        case 0x0D: "\\r"
        case 0x09: "\\t"
        default: controlEscapes[Int(byte)]
        }
    }

    private static let controlEscapes: [StaticString] = [
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\u0008", "\\u0009", "\\u000a", "\\u000b", "\\u000c", "\\u000d", "\\u000e", "\\u000f",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
    ]

    /// The most bytes ``date(_:to:)`` writes.
    static let dateLength = Timestamp.maximumLength + 2

    /// A date as a quoted RFC 3339 timestamp, or `null`.
    static func date(_ value: Date?, to out: inout OutputSpan<UInt8>) {
        guard let value else { return ascii("null", to: &out) }
        out.append(UInt8(ascii: "\""))
        Timestamp.write(value, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The bytes ``uuid(_:to:)`` writes.
    static let uuidLength = 38

    /// A UUID as quoted lower-case text.
    static func uuid(_ value: UUID, to out: inout OutputSpan<UInt8>) {
        out.append(UInt8(ascii: "\""))
        value.writeLowercased(to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The most bytes ``integer(_:to:)`` writes.
    static let integerLength = 20

    static func integer(_ value: Int64, to out: inout OutputSpan<UInt8>) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        digits(of: value.magnitude, to: &out)
    }

    /// The decimal digits of `value`, most significant first.
    static func digits(of value: UInt64, to out: inout OutputSpan<UInt8>) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while true {
            out.append(UInt8(truncatingIfNeeded: 48 + value / divisor % 10))
            if divisor == 1 { return }
            divisor /= 10
        }
    }

    /// Copies `bytes` into `out` in one go, after checking once that they fit.
    static func copy(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout OutputSpan<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        out.withUnsafeMutableBufferPointer { room, count in
            precondition(room.count - count >= bytes.count, "JSONPieces: no room reserved for these bytes")
            (room.baseAddress! + count).update(from: source, count: bytes.count)
            count += bytes.count
        }
    }

    /// Lets `write` fill up to `length` bytes through `room`, after checking once that they fit;
    /// it returns how many it wrote.
    static func fill(_ length: Int, of out: inout OutputSpan<UInt8>, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        out.withUnsafeMutableBufferPointer { room, count in
            precondition(room.count - count >= length, "JSONPieces: no room reserved for these bytes")
            let written = write(room.baseAddress! + count)
            precondition(written <= length)
            count += written
        }
    }
}

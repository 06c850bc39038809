import Foundation

/// RFC 3339 timestamps as the contract writes them: UTC with milliseconds, `2026-11-21T20:45:25.123Z`.
enum Timestamp {
    /// Formats a date in UTC with exactly three fractional digits.
    static func format(_ date: Date) -> String {
        var text: [UInt8] = []
        text.append(addingCapacity: maximumLength) { write(date, to: &$0) }
        return String(decoding: text, as: UTF8.self)
    }

    /// The most bytes ``write(_:to:)`` writes: 24 for the years 0–9999 RFC 3339 has, more for others.
    static let maximumLength = 44

    /// Writes the ASCII of ``format(_:)`` straight into `out`, which has room for ``maximumLength``
    /// bytes: the hot path puts dates into responses without a `String` (and without `gmtime_r`,
    /// whose time-zone lock every thread shares).
    static func write(_ date: Date, to out: inout OutputSpan<UInt8>) {
        let milliseconds = date.milliseconds
        let seconds = milliseconds.floorDivided(by: 1000)
        let fraction = Int(milliseconds - seconds * 1000)
        let days = seconds.floorDivided(by: 86_400)
        let time = Int(seconds - days * 86_400)
        let (year, month, day) = CalendarDate.civil(fromDays: days)
        // RFC 3339 years have four digits; a date outside them (none that Punchlist parses) keeps all of its own.
        guard (0...9999).contains(year) else {
            if year < 0 { out.append(UInt8(ascii: "-")) }
            JSONPieces.digits(of: UInt64(year.magnitude), to: &out)
            return JSONPieces.fill(20, of: &out) { text in
                write(month: month, day: day, time: time, fraction: fraction, to: text)
                return 20
            }
        }
        JSONPieces.fill(24, of: &out) { text in
            two(year / 100, at: text)
            two(year % 100, at: text + 2)
            write(month: month, day: day, time: time, fraction: fraction, to: text + 4)
            return 24
        }
    }

    /// `-MM-DDTHH:MM:SS.mmmZ`, the 20 bytes after the year.
    private static func write(month: Int, day: Int, time: Int, fraction: Int, to text: UnsafeMutablePointer<UInt8>) {
        text[0] = UInt8(ascii: "-"); two(month, at: text + 1); text[3] = UInt8(ascii: "-"); two(day, at: text + 4)
        text[6] = UInt8(ascii: "T"); two(time / 3600, at: text + 7); text[9] = UInt8(ascii: ":"); two(time / 60 % 60, at: text + 10)
        text[12] = UInt8(ascii: ":"); two(time % 60, at: text + 13)
        text[15] = UInt8(ascii: "."); text[16] = UInt8(truncatingIfNeeded: 48 + fraction / 100); two(fraction % 100, at: text + 17)
        text[19] = UInt8(ascii: "Z")
    }

    private static func two(_ value: Int, at text: UnsafeMutablePointer<UInt8>) {
        text[0] = UInt8(truncatingIfNeeded: 48 + value / 10)
        text[1] = UInt8(truncatingIfNeeded: 48 + value % 10)
    }

    /// Parses any RFC 3339 date-time (any offset, optional fraction); nil when it is not one.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + width] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2), expect("Tt "),
            let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60, year >= 1 else { return nil }
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if expect("Zz") {
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = number(2), expect(":"), let offsetMinutes = number(2), offsetHours < 24, offsetMinutes < 60 else {
                return nil
            }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(min(second, 59))
        let seconds = timegm(&parts)
        // timegm normalises 31 February into March: refuse dates that do not exist.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        let milliseconds = ((Double(seconds - offset) + fraction) * 1000).rounded(.down)
        return Date(timeIntervalSince1970: milliseconds / 1000)
    }

}

extension Date {
    /// Milliseconds since 1970, as SQLite stores times. Rounded to the nearest, because a date made
    /// from whole milliseconds may come back from a Double a hair below them.
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// This instant at whole milliseconds, the precision Punchlist keeps.
    var roundedToMilliseconds: Date { Date(milliseconds: milliseconds) }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}

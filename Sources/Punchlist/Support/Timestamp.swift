import Foundation

/// RFC 3339 timestamps as the contract writes them: UTC with milliseconds, `2026-11-21T20:45:25.123Z`.
enum Timestamp {
    /// Formats a date in UTC with exactly three fractional digits.
    static func format(_ date: Date) -> String {
        withText(of: date) { String(decoding: $0, as: UTF8.self) }
    }

    /// Hands the ASCII bytes of ``format(_:)`` (24 for years 0–9999) to `body`, made on the stack:
    /// the hot path copies them straight into a response, once (no `gmtime_r`, whose time-zone lock
    /// every thread shares, and no append per byte, which was most of writing a page's dates).
    static func withText<Result>(of date: Date, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let milliseconds = date.milliseconds
        let seconds = milliseconds.floorDivided(by: 1000)
        let fraction = Int(milliseconds - seconds * 1000)
        let days = seconds.floorDivided(by: 86_400)
        let time = Int(seconds - days * 86_400)
        let (year, month, day) = CalendarDate.civil(fromDays: days)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { text in
            var end = 0
            func put(_ byte: UInt8) {
                text[end] = byte
                end += 1
            }
            func two(_ value: Int) {
                put(UInt8(truncatingIfNeeded: 48 + value / 10))
                put(UInt8(truncatingIfNeeded: 48 + value % 10))
            }
            // RFC 3339 years have four digits; a date outside them (none that Punchlist parses) keeps all of its own.
            if (0...9999).contains(year) {
                two(year / 100)
                two(year % 100)
            } else {
                for byte in String(year).utf8 { put(byte) }
            }
            put(UInt8(ascii: "-")); two(month); put(UInt8(ascii: "-")); two(day)
            put(UInt8(ascii: "T")); two(time / 3600); put(UInt8(ascii: ":")); two(time / 60 % 60); put(UInt8(ascii: ":")); two(time % 60)
            put(UInt8(ascii: ".")); put(UInt8(truncatingIfNeeded: 48 + fraction / 100)); two(fraction % 100); put(UInt8(ascii: "Z"))
            return body(UnsafeBufferPointer(rebasing: text[..<end]))
        }
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

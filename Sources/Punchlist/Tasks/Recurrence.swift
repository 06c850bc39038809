import Foundation

extension TaskItem.Recurrence {
    /// The first due date of the series after `due` that is later than `now`: one period on, or
    /// as many as it takes when the task is overdue by several. Computed in UTC, arithmetically
    /// (a task centuries overdue costs no more than one a day late). Monthly and yearly series
    /// keep their day of the month (`anchorDay`), clamped to short months: the 31st falls on
    /// 28/29 February, then on 31 March again.
    func nextDue(after due: Date, anchorDay: Int?, now: Date) -> Date {
        switch self {
        case .daily: return Self.step(due, seconds: 86_400, now: now)
        case .weekly: return Self.step(due, seconds: 7 * 86_400, now: now)
        case .monthly: return Self.stepMonths(due, months: 1, anchorDay: anchorDay, now: now)
        case .yearly: return Self.stepMonths(due, months: 12, anchorDay: anchorDay, now: now)
        }
    }

    private static func step(_ due: Date, seconds period: Int64, now: Date) -> Date {
        let periodMilliseconds = period * 1000
        let behind = now.milliseconds - due.milliseconds
        let periods = behind < 0 ? 1 : behind / periodMilliseconds + 1
        return Date(milliseconds: due.milliseconds + periods * periodMilliseconds)
    }

    private static func stepMonths(_ due: Date, months period: Int, anchorDay: Int?, now: Date) -> Date {
        let start = CalendarDate(due)
        let day = anchorDay ?? start.day
        let target = CalendarDate(now)
        // Whole periods between the two months, then at most two more until the date is past `now`.
        let monthsBehind = (target.year - start.year) * 12 + (target.month - start.month)
        var periods = max(1, monthsBehind / period)
        while true {
            let candidate = start.adding(months: periods * period, day: day)
            if candidate > now { return candidate }
            periods += 1
        }
    }
}

/// A UTC calendar date with the time of day kept in milliseconds.
struct CalendarDate {
    var year: Int
    var month: Int
    var day: Int
    var millisecondsOfDay: Int64

    init(_ date: Date) {
        let milliseconds = date.milliseconds
        let days = Int64((Double(milliseconds) / 86_400_000).rounded(.down))
        millisecondsOfDay = milliseconds - days * 86_400_000
        (year, month, day) = CalendarDate.civil(fromDays: days)
    }

    /// The same time of day, `months` later, on `day` or the month's last day if it is shorter.
    func adding(months: Int, day: Int) -> Date {
        let total = year * 12 + (month - 1) + months
        let newYear = total.floorDiv(12)
        let newMonth = total - newYear * 12 + 1
        let clamped = min(day, CalendarDate.daysIn(year: newYear, month: newMonth))
        let days = CalendarDate.days(fromCivil: newYear, newMonth, clamped)
        return Date(milliseconds: days * 86_400_000 + millisecondsOfDay)
    }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDiv(400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468)
    }

    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = Int(days) + 719_468
        let era = z.floorDiv(146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int {
    fileprivate func floorDiv(_ divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

extension TaskItem {
    /// The day of the month a new monthly or yearly series is anchored to.
    static func anchorDay(for due: Date?, recurrence: Recurrence?) -> Int? {
        guard let due, recurrence == .monthly || recurrence == .yearly else { return nil }
        return CalendarDate.dayOfMonth(due)
    }
}

extension CalendarDate {
    fileprivate static func dayOfMonth(_ date: Date) -> Int { CalendarDate(date).day }
}

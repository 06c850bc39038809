import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Punchlist

@Suite struct RecurrenceTests {
    static func date(_ text: String) -> Date { Timestamp.parse(text)! }

    @Test func monthlyOnThe31stClampsToShortMonthsAndComesBack() {
        let anchor = TaskItem.anchorDay(for: Self.date("2027-01-31T09:00:00Z"), recurrence: .monthly)
        #expect(anchor == 31)
        let now = Self.date("2027-01-31T10:00:00Z")
        let february = TaskItem.Recurrence.monthly.nextDue(after: Self.date("2027-01-31T09:00:00Z"), anchorDay: anchor, now: now)
        #expect(Timestamp.format(february) == "2027-02-28T09:00:00.000Z")
        let march = TaskItem.Recurrence.monthly.nextDue(after: february, anchorDay: anchor, now: now)
        #expect(Timestamp.format(march) == "2027-03-31T09:00:00.000Z")
        let leap = TaskItem.Recurrence.monthly.nextDue(after: Self.date("2028-01-31T09:00:00Z"), anchorDay: 31, now: now)
        #expect(Timestamp.format(leap) == "2028-02-29T09:00:00.000Z")
    }

    @Test func yearlyOnTheLeapDayFallsOnThe28thInCommonYears() {
        let next = TaskItem.Recurrence.yearly.nextDue(after: Self.date("2028-02-29T00:00:00Z"), anchorDay: 29, now: Self.date("2028-03-01T00:00:00Z"))
        #expect(Timestamp.format(next) == "2029-02-28T00:00:00.000Z")
        let back = TaskItem.Recurrence.yearly.nextDue(after: Self.date("2031-02-28T00:00:00Z"), anchorDay: 29, now: Self.date("2031-03-01T00:00:00Z"))
        #expect(Timestamp.format(back) == "2032-02-29T00:00:00.000Z")
    }

    @Test(arguments: [
        (TaskItem.Recurrence.daily, "2026-11-18T08:30:00Z", "2026-11-21T20:00:00Z", "2026-11-22T08:30:00.000Z"),
        (.daily, "2026-11-21T21:00:00Z", "2026-11-21T20:00:00Z", "2026-11-22T21:00:00.000Z"),
        (.weekly, "2026-10-01T12:00:00Z", "2026-11-21T20:00:00Z", "2026-11-26T12:00:00.000Z"),
        (.monthly, "2025-05-15T07:00:00Z", "2026-11-21T20:00:00Z", "2026-12-15T07:00:00.000Z"),
        (.monthly, "2026-11-21T19:00:00Z", "2026-11-21T20:00:00Z", "2026-12-21T19:00:00.000Z"),
        (.yearly, "1826-11-21T00:00:00Z", "2026-11-21T20:00:00Z", "2027-11-21T00:00:00.000Z"),
    ])
    func severalPeriodsOverdueMovesPastNow(recurrence: TaskItem.Recurrence, due: String, now: String, expected: String) {
        let next = recurrence.nextDue(after: Self.date(due), anchorDay: TaskItem.anchorDay(for: Self.date(due), recurrence: recurrence), now: Self.date(now))
        #expect(Timestamp.format(next) == expected)
    }

    @Test(arguments: TestDatabase.all)
    func completingARecurringTaskCreatesItsNextOccurrence(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            let created = try await client.send(
                .post, "/api/tasks",
                json: ["title": "water plants", "description": "all of them", "priority": "medium", "tags": ["home"], "recurrence": "daily",
                       "due_at": "2020-01-01T08:00:00Z"], headers: user.auth)
            let id = try #require(created.json["id"] as? String)
            let done = try await client.send(.patch, "/api/tasks/\(id)", json: ["completed": true], headers: user.auth)
            #expect(done.json["completed"] as? Bool == true)
            let open = try await client.send(.get, "/api/tasks?status=open", headers: user.auth)
            let items = open.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1)
            let next = try #require(items.first)
            #expect(next["id"] as? String != id)
            #expect(next["title"] as? String == "water plants")
            #expect(next["description"] as? String == "all of them")
            #expect(next["priority"] as? String == "medium")
            #expect(next["tags"] as? [String] == ["home"])
            #expect(next["recurrence"] as? String == "daily")
            let nextDue = try #require((next["due_at"] as? String).flatMap(Timestamp.parse))
            #expect(nextDue > Date())
            #expect(nextDue < Date() + 86_400 + 60)
            #expect((next["due_at"] as? String)?.hasSuffix("T08:00:00.000Z") == true)

            // Completing again (after reopening) makes another; completing a task without a due date makes none.
            _ = try await client.send(.patch, "/api/tasks/\(id)", json: ["completed": false], headers: user.auth)
            _ = try await client.send(.patch, "/api/tasks/\(id)", json: ["completed": true], headers: user.auth)
            #expect(((try await client.send(.get, "/api/tasks?status=open", headers: user.auth)).json["items"] as? [Any])?.count == 2)
            let undated = try #require(
                try await client.send(.post, "/api/tasks", json: ["title": "someday", "recurrence": "weekly"], headers: user.auth).json["id"] as? String)
            _ = try await client.send(.patch, "/api/tasks/\(undated)", json: ["completed": true], headers: user.auth)
            #expect(((try await client.send(.get, "/api/tasks?status=open", headers: user.auth)).json["items"] as? [Any])?.count == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func monthlySeriesKeepsTheEndOfTheMonthThroughTheAPI(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            // Far enough ahead that "now" never overtakes the series during the test.
            let id = try #require(
                try await client.send(
                    .post, "/api/tasks", json: ["title": "invoice", "recurrence": "monthly", "due_at": "2099-01-31T17:00:00Z"], headers: user.auth
                ).json["id"] as? String)
            _ = try await client.send(.patch, "/api/tasks/\(id)", json: ["completed": true], headers: user.auth)
            let february = try #require(
                (try await client.send(.get, "/api/tasks?status=open", headers: user.auth)).json["items"] as? [[String: Any]]).first
            #expect(february?["due_at"] as? String == "2099-02-28T17:00:00.000Z")
            let februaryID = try #require(february?["id"] as? String)
            _ = try await client.send(.patch, "/api/tasks/\(februaryID)", json: ["completed": true], headers: user.auth)
            let march = try #require(
                (try await client.send(.get, "/api/tasks?status=open", headers: user.auth)).json["items"] as? [[String: Any]]).first
            #expect(march?["due_at"] as? String == "2099-03-31T17:00:00.000Z")
        }
    }
}

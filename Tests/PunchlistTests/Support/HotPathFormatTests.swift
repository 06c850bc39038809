import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import Punchlist

/// The hand-written formatters and parsers of the hot paths give what Foundation's gave.
@Suite struct HotPathFormatTests {
    /// The formatting Timestamp.format used before: gmtime_r and padded numbers.
    static func reference(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int(milliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(value).count)) + String(value) }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):"
            + "\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(fraction), 3))Z"
    }

    @Test func timestampsMatchTheFormerFormatting() {
        var generator = SystemRandomNumberGenerator()
        let fixed: [Int64] = [0, -1, 1, 951_782_400_000, 951_868_799_999, 4_107_542_399_999, -62_135_596_800_000, 253_402_300_799_999]
        let random = (0..<2000).map { _ in Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &generator) }
        for milliseconds in fixed + random {
            let date = Date(milliseconds: milliseconds)
            #expect(Timestamp.format(date) == Self.reference(milliseconds), "\(milliseconds)")
        }
    }

    @Test func uuidTextRoundTripsAndRefusesWhatFoundationRefuses() {
        for _ in 0..<1000 {
            let id = UUID()
            #expect(id.lowercased == id.uuidString.lowercased())
            #expect(UUID(text: id.lowercased) == id)
            #expect(UUID(text: id.uuidString) == id)
        }
        for bad in ["", "0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5", "0193a5b2x7c1d-7e4f-8a9b-0c1d2e3f4a5b", "0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5g",
            "0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5bb"]
        {
            #expect(UUID(text: bad) == nil)
            #expect(UUID(uuidString: bad) == nil)
        }
    }

    @Test func generatedIdsCarryTheirVersionVariantAndTime() throws {
        let at = try #require(Timestamp.parse("2026-11-22T14:05:06.789Z"))
        var seen = Set<UUID>()
        for _ in 0..<1000 {
            let task = UUID.v7(at: at), request = UUID.random()
            // Version 7 starts with the time in milliseconds, its first 12 hex digits.
            #expect(UInt64(task.lowercased.filter { $0 != "-" }.prefix(12), radix: 16) == UInt64(at.milliseconds))
            #expect(Array(task.lowercased)[14] == "7")
            #expect(Array(request.lowercased)[14] == "4")
            for id in [task, request] {
                #expect("89ab".contains(Array(id.lowercased)[19]), "variant of \(id)")
                #expect(UUID(uuidString: id.uuidString) == id)
                seen.insert(id)
            }
        }
        #expect(seen.count == 2000)
        #expect(UUID.v7(at: at) < UUID.v7(at: at.addingTimeInterval(0.001)))
    }

    @Test func tagsReadBackAsWritten() {
        for tags in [[], ["work"], ["work", "home", "a b"], ["quote \" and \\ backslash", "tab\tand\nnewline", "ünïcödé ✓"], [""]] {
            #expect(SQLiteTaskColumns.tags(fromJSON: SQLiteStore.tagsJSON(tags)) == tags)
        }
        #expect(SQLiteTaskColumns.tags(fromJSON: "[\"a\", \"b\"]") == ["a", "b"])  // not ours, but still JSON
    }

    @Test func jsonWriterOutputParsesBackToWhatWasWritten() throws {
        let strings = ["", "plain", "quote \" and \\ backslash", "tab\tand\nnewline\r", "\u{01}\u{1F}", "ünïcödé ✓ 🎉", "</script>"]
        var json = JSONWriter()
        json.beginObject()
        json.key("strings")
        json.beginArray()
        for string in strings { json.string(string) }
        json.endArray()
        json.key("nested")
        json.beginArray()
        json.beginObject()
        json.key("a"); json.integer(1)
        json.endObject()
        json.beginArray()
        json.endArray()
        json.null()
        json.endArray()
        json.dynamicKey("last")
        json.bool(true)
        json.endObject()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
        #expect(parsed["strings"] as? [String] == strings)
        #expect(String(decoding: json.bytes, as: UTF8.self).contains(#""nested":[{"a":1},[],null],"last":true}"#))
    }

    @Test func base64URLIsFoundationsBase64InTheURLAlphabetAndRoundTrips() {
        for count in 0..<40 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            let text = bytes.base64URLEncoded
            let foundation = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(text == foundation)
            #expect(Data(base64URLEncoded: text) == Data(bytes))
        }
        #expect(Data(base64URLEncoded: "ab+c") == nil)
        #expect(Data(base64URLEncoded: "ab=") == nil)
    }

    @Test func bearerTokensAreTrimmedAndTheSchemeIsCaseInsensitive() throws {
        func token(_ header: String) -> String? {
            let head = HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/", headerFields: [.authorization: header])
            return AuthMiddleware.bearerToken(Request(head: head, body: .init(buffer: ByteBuffer())))
        }
        #expect(token("Bearer abc") == "abc")
        #expect(token("bearer  abc \t") == "abc")
        #expect(token("Bearer    ") == nil)
        #expect(token("Basic abc") == nil)
        #expect(token("Bearerx abc") == nil)
    }

    @Test func requestDurationsReadAsMillisecondsWithTwoDecimals() {
        #expect(RequestIDMiddleware.milliseconds(.zero) == "0.00")
        #expect(RequestIDMiddleware.milliseconds(.microseconds(90)) == "0.09")
        #expect(RequestIDMiddleware.milliseconds(.microseconds(12_345)) == "12.34")
        #expect(RequestIDMiddleware.milliseconds(.milliseconds(1_500)) == "1500.00")
        #expect(RequestIDMiddleware.milliseconds(.seconds(61) + .microseconds(5_678)) == "61005.67")
    }
}

/// The decoy hash is fixed rather than computed at start-up: it must still cost a real check.
/// bcrypt's work is set by the cost in the hash (2^cost rounds), so the decoy must carry the
/// hasher's cost and be a well-formed hash that bcrypt checks to the end (no timing: it is flaky
/// on a shared machine).
@Suite struct DecoyHashTests {
    @Test(arguments: [4, 10, 12])
    func theDecoyCarriesTheCostOfRealHashes(cost: Int) async throws {
        let hasher = PasswordHasher(cost: cost)
        let costField = { (hash: String) in hash.split(separator: "$").prefix(2).joined(separator: "$") }
        #expect(costField(hasher.decoy) == "2b$" + (cost < 10 ? "0" : "") + "\(cost)")
        #expect(hasher.decoy.count == 60)
        if cost <= 6 {
            let real = try await hasher.hash("the real password")
            #expect(costField(real) == costField(hasher.decoy))
            #expect(try await !hasher.verify("a guess", against: nil))
            #expect(try await hasher.verify("the real password", against: real))
        }
    }
}

/// A task's JSON is written in one reserved piece (``TaskItem/write(to:)``); it must be byte for
/// byte what the general writer makes, and fit the room it reserved, for any task.
@Suite struct TaskJSONTests {
    /// The task as the general writer, one value at a time, writes it.
    static func reference(_ task: TaskItem) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("id"); json.uuid(task.id)
        json.key("title"); json.string(task.title)
        json.key("description"); json.string(task.description)
        json.key("completed"); json.bool(task.completed)
        json.key("priority"); json.string(task.priority.rawValue)
        json.key("tags")
        json.beginArray()
        for tag in task.tags { json.string(tag) }
        json.endArray()
        json.key("due_at"); json.date(task.dueAt)
        json.key("recurrence"); json.string(task.recurrence?.rawValue)
        json.key("created_at"); json.date(task.createdAt)
        json.key("updated_at"); json.date(task.updatedAt)
        json.key("completed_at"); json.date(task.completedAt)
        json.key("version"); json.integer(task.version)
        json.endObject()
        return json.bytes
    }

    @Test func aTaskIsWrittenAsTheGeneralWriterWritesIt() throws {
        let escapes = "quote \" backslash \\ newline \n tab \t nul \u{0} unit \u{1F} ünïcödé ✓ 🎉 </script>"
        let latest = try #require(Timestamp.parse("9999-12-31T23:59:59.999Z"))
        let earliest = try #require(Timestamp.parse("0001-01-01T00:00:00.000Z"))
        var tasks: [TaskItem] = []
        for priority in TaskItem.Priority.allCases {
            for recurrence in [nil] + TaskItem.Recurrence.allCases.map(Optional.some) {
                tasks.append(
                    TaskItem(
                        id: .v7(), userID: .v7(), title: escapes, description: String(repeating: escapes, count: 200),
                        completed: recurrence == nil, priority: priority,
                        tags: (0..<20).map { "\($0)\"\\\u{7}" + String(repeating: "t", count: 35) }, dueAt: latest, recurrence: recurrence,
                        anchorDay: 31, createdAt: earliest, updatedAt: latest, completedAt: latest, version: Int.max))
            }
        }
        tasks.append(
            TaskItem(
                id: .v7(), userID: .v7(), title: "", description: "", completed: false, priority: .none, tags: [], dueAt: nil, recurrence: nil,
                anchorDay: nil, createdAt: Date(milliseconds: 0), updatedAt: Date(milliseconds: 0), completedAt: nil, version: Int.min))
        for task in tasks {
            #expect(task.json == Self.reference(task))
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(task.json)) as? [String: Any])
            #expect(parsed["title"] as? String == task.title)
            #expect(parsed["tags"] as? [String] == task.tags)
        }
        // Objects written in one piece still take their commas in arrays.
        var page = JSONWriter()
        page.beginArray()
        for task in tasks.prefix(2) { task.write(to: &page) }
        page.endArray()
        #expect(page.bytes == [UInt8(ascii: "[")] + Self.reference(tasks[0]) + [UInt8(ascii: ",")] + Self.reference(tasks[1]) + [UInt8(ascii: "]")])
    }

    @Test func datesBeyondFourDigitYearsKeepAllTheirDigits() {
        // 10000-01-01T00:00:00.000Z and one millisecond before 0000-01-01.
        #expect(Timestamp.format(Date(milliseconds: 253_402_300_800_000)) == "10000-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(milliseconds: -62_167_219_200_001)) == "-1-12-31T23:59:59.999Z")
    }
}

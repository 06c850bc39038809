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

    @Test func tagsReadBackAsWritten() {
        for tags in [[], ["work"], ["work", "home", "a b"], ["quote \" and \\ backslash", "tab\tand\nnewline", "ünïcödé ✓"], [""]] {
            #expect(SQLiteTaskColumns.tags(fromJSON: SQLiteStore.tagsJSON(tags)) == tags)
        }
        #expect(SQLiteTaskColumns.tags(fromJSON: "[\"a\", \"b\"]") == ["a", "b"])  // not ours, but still JSON
    }

    @Test func base64URLRoundTripsAndRefusesOtherAlphabets() {
        for count in 0..<40 {
            let data = Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) })
            let text = data.base64URLEncoded
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Data(base64URLEncoded: text) == data)
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
}

/// The decoy hash is fixed rather than computed at start-up: it must still cost a real check.
@Suite struct DecoyHashTests {
    @Test(arguments: [6, 8])
    func anUnknownEmailCostsAsMuchAsAWrongPassword(cost: Int) async throws {
        let hasher = PasswordHasher(cost: cost)
        let real = try await hasher.hash("the real password")
        let clock = ContinuousClock()
        var decoyTimes: [Duration] = []
        var realTimes: [Duration] = []
        for _ in 0..<3 {  // the fastest of three: the machine may be busy
            var start = clock.now
            #expect(try await !hasher.verify("a guess", against: nil))
            decoyTimes.append(clock.now - start)
            start = clock.now
            #expect(try await !hasher.verify("a guess", against: real))
            realTimes.append(clock.now - start)
        }
        let decoy = decoyTimes.min()!, checked = realTimes.min()!
        #expect(decoy > checked / 2 && decoy < checked * 2, "decoy \(decoy), real \(checked)")
        #expect(try await hasher.verify("the real password", against: real))
    }
}

import Foundation
import Testing

@testable import Punchlist

/// The hand-written JSON reader accepts what `JSONDecoder` accepts, refuses what it refuses, and
/// reads the same values: on chosen documents, and on thousands of mutations of them.
@Suite struct JSONParserTests {
    /// What request bodies were read with before: `JSONDecoder`, through `JSONValue`'s `Decodable`.
    static func reference(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Whether a reading gave a value (`== nil` would compare with JSON's `null`: `JSONValue` takes `nil` as a literal).
    static func accepted(_ value: JSONValue?) -> Bool {
        if case .some = value { return true }
        return false
    }

    static let documents = [
        #"{"title":"Pay rent","priority":"high","tags":["home","money"],"due_at":"2026-12-01T09:00:00.000Z"}"#,
        #"{"completed":true,"description":null,"version":3,"recurrence":"weekly"}"#,
        #"[1, -0, 0.5, -12.25e3, 1E-7, 123456789012345678901234567890, 2.5E+2, 0e0]"#,
        #"  {"a" : [ {"b":[[]]}, {}, "" ] , "c" : false }  "#,
        #""caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t""#,
        #"{"emoji":"😀 naïve 日本","escaped":"\u0000\u001f\u00ff"}"#,
        "true", "false", "null", "0", "-1", "\"\"", "[]", "{}", "[1,]", "{\"a\":1 , }",
        #"{"messages":[{"role":"user","content":"What is due?"}],"conversation_id":"0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5b"}"#,
    ]

    static let refused = [
        "", " ", "{", "}", "[", "]", "[,1]", "[1,,2]", "[,]", "{,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]",
        "01", "-", "1.", ".5", "+1", "1e", "1e+", "-01", "0x10", "NaN", "Infinity", "-Infinity", "1e400", "-1e400",
        "tru", "nul", "True", "nulll", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\ud83d\"", "\"\\ude00\"",
        "\"\\ud83d\\u0041\"", "\"a\u{01}b\"", "\"tab\there\"", "1 2", "{} {}", "\"a\" x",
    ]

    @Test func readsWhatJSONDecoderReads() throws {
        for document in Self.documents {
            let bytes = Array(document.utf8)
            let parsed = JSONValue.parse(bytes)
            #expect(Self.accepted(parsed), "\(document)")
            #expect(parsed == Self.reference(bytes), "\(document)")
        }
        let task = try #require(JSONValue.parse(Array(Self.documents[0].utf8)))
        #expect(task == .object(["title": .string("Pay rent"), "priority": .string("high"), "tags": .array([.string("home"), .string("money")]),
            "due_at": .string("2026-12-01T09:00:00.000Z")]))
        #expect(JSONValue.parse(Array(Self.documents[4].utf8)) == .string("café 😀 \"q\" \\ / \u{8}\u{c}\n\r\t"))
    }

    @Test func refusesWhatJSONDecoderRefuses() {
        for document in Self.refused {
            let bytes = Array(document.utf8)
            #expect(!Self.accepted(JSONValue.parse(bytes)), "\(document)")
            #expect(!Self.accepted(Self.reference(bytes)), "the reference accepts \(document)")
        }
        // Bytes that are not UTF-8, inside a string and outside.
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0xFF], [0x5B, 0x31, 0x5D, 0x80]] {
            #expect(!Self.accepted(JSONValue.parse(bytes)), "\(bytes)")
            #expect(!Self.accepted(Self.reference(bytes)), "the reference accepts \(bytes)")
        }
    }

    /// Bodies in UTF-16 or UTF-32, or with a byte-order mark, read as `JSONDecoder` reads them.
    @Test func readsOtherEncodingsAsBefore() {
        let object: JSONValue = .object(["title": .string("é")])
        let text = #"{"title":"é"}"#
        let utf16LE = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let utf16BE = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [[0xEF, 0xBB, 0xBF] + Array(text.utf8), utf16LE, utf16BE, [0xFF, 0xFE] + utf16LE, [0xFE, 0xFF] + utf16BE] {
            #expect(JSONValue.parse(bytes) == object, "\(bytes)")
        }
        // A zero byte next to a bare number makes it UTF-16, for JSONDecoder: read as before.
        #expect(JSONValue.parse([0, 50]) == .number(2))
        #expect(JSONValue.parse(Array("\"a\\u0000b\"".utf8)) == .string("a\u{0}b"))
    }

    /// A name given twice keeps its first value, as `JSONDecoder` reads it. (Mutations of this are
    /// left out below: `JSONDecoder` does not check a number it never reads, so it takes
    /// `{"a":1,"a":2+}`, which this refuses.)
    @Test func keepsTheFirstOfARepeatedName() {
        let bytes = Array(#"{"a":1,"b":true,"a":2}"#.utf8)
        #expect(JSONValue.parse(bytes) == .object(["a": .number(1), "b": .bool(true)]))
        #expect(JSONValue.parse(bytes) == Self.reference(bytes))
    }

    @Test func nestsAsDeepAsJSONDecoderAndNoDeeper() {
        let allowed = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(Self.accepted(JSONValue.parse(Array(allowed.utf8))))
        let tooDeep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(!Self.accepted(JSONValue.parse(Array(tooDeep.utf8))))
        #expect(!Self.accepted(Self.reference(Array(tooDeep.utf8))))
        // Far deeper than any stack would take if it were followed: refused at once.
        #expect(!Self.accepted(JSONValue.parse(Array(repeating: UInt8(ascii: "["), count: 1_000_000))))
    }

    /// Mutations of the documents above: bytes replaced, inserted or removed, from an alphabet of
    /// JSON's own characters and a few that are not. Both readers must agree on every one.
    @Test func agreesWithJSONDecoderOnMutatedDocuments() {
        var random = SplitMix64(seed: 0x5EED_1234)
        let alphabet = Array(#"{}[]:,"\/ ubfnrt0123456789-+.eEaxlsTF"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xED, 0xFF]
        var accepted = 0
        for round in 0..<6000 {
            var bytes = Array(Self.documents[round % Self.documents.count].utf8)
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let position = Int(random.next() % UInt64(bytes.count + 1))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 3 {
                case 0 where position < bytes.count: bytes[position] = byte
                case 1 where position < bytes.count: bytes.remove(at: position)
                default: bytes.insert(byte, at: position)
                }
            }
            let parsed = JSONValue.parse(bytes)
            if Self.accepted(parsed) { accepted += 1 }
            #expect(parsed == Self.reference(bytes), "\(bytes)")
        }
        // The mutations must reach both sides of the line for the comparison to mean something.
        #expect(accepted > 500 && accepted < 5500, "\(accepted) of 6000 accepted")
    }
}

/// A small seeded generator, so that every run tests the same mutations.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// A create's `Idempotency-Key` (the IETF's draft-ietf-httpapi-idempotency-key-header): a client that
/// sends one can send the same create again, after a timeout, a dropped connection or a 503 whose
/// write may have committed, and gets the first answer back instead of a second task.
/// docs/DECISIONS.md has the rules.
public struct IdempotencyKey: Sendable, Equatable {
    /// The client's key, as sent.
    public let value: String
    /// SHA-256 of the request's JSON with its keys sorted, in hex: the same key with another body is
    /// refused, not replayed. The JSON, not its bytes: a client may write the same body with its
    /// keys in another order or other spacing when it sends it again.
    public let fingerprint: String

    public init(value: String, fingerprint: String) {
        self.value = value
        self.fingerprint = fingerprint
    }

    /// How long a key is remembered. An older one is taken over by the next create that sends it,
    /// as a new key, and `Pruner` forgets the rest.
    public static let rememberedFor: TimeInterval = 86_400
    static let header = HTTPField.Name("Idempotency-Key")!
    /// Set on an answer that repeats an earlier create's.
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    /// The request's key, with `body` as its fingerprint; nil without the header. A key is 1–255
    /// visible ASCII characters, bare or as a quoted string (the draft's structured-field form).
    static func of(_ request: Request, body: JSONValue) throws -> IdempotencyKey? {
        guard let sent = request.headers[header] else { return nil }
        var key = Substring(sent)
        if key.count >= 2, key.first == "\"", key.last == "\"" { key = key.dropFirst().dropLast() }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\"") }) else {
            throw Problem.invalidParameter("Idempotency-Key", mustBe: "1 to 255 visible ASCII characters, such as a UUID")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let digest = SHA256.hash(data: try encoder.encode(body))
        return IdempotencyKey(value: String(key), fingerprint: digest.map { String(format: "%02x", $0) }.joined())
    }
}

/// What a keyed create found: no earlier create with the key, so it made the task now; or the
/// earlier create's task and answer, which nothing was written over.
public enum KeyedCreation: Sendable {
    case created([TaskEvent])
    case earlier(fingerprint: String, taskID: UUID, response: String)
}

import Crypto
import Foundation

/// Opaque, signed list cursors: the last task's sort value and id, bound to the sort order, with
/// an HMAC so that a tampered or forged cursor is refused (400) rather than trusted.
struct TaskCursor: Sendable {
    /// The HMAC with its key set up, copied for each cursor: setting up the key was a third of
    /// making a cursor. (Copies are independent: swift-crypto's hash states are values.)
    private let keyed: HMAC<SHA256>

    init(secret: String) {
        keyed = HMAC(key: SymmetricKey(data: SHA256.hash(data: Data("punchlist list cursors\u{0}\(secret)".utf8))))
    }

    /// The first 16 bytes of the payload's HMAC.
    private func mac(_ payload: some DataProtocol) -> [UInt8] {
        var hmac = keyed
        hmac.update(data: payload)
        return hmac.finalize().withUnsafeBytes { Array($0.prefix(16)) }
    }

    func encode(_ position: TaskQuery.Position, sort: TaskQuery.SortField, descending: Bool) -> String {
        let value: String =
            switch position.value {
            case .date(let date?): "d\(date.milliseconds)"
            case .date(nil): "n"
            case .integer(let number): "i\(number)"
            case .text(let text): "t" + Array(text.utf8).base64URLEncoded
            case .score(let score): "s\(score.bitPattern)"
            }
        let payload = Array("1|\(sort.rawValue)|\(descending ? "d" : "a")|\(value)|\(position.id.lowercased)".utf8)
        return payload.base64URLEncoded + "." + mac(payload).base64URLEncoded
    }

    /// The position a cursor names, or nil when it is not one of ours for this sort order.
    func decode(_ text: String, sort: TaskQuery.SortField, descending: Bool) -> TaskQuery.Position? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Data(base64URLEncoded: String(parts[0])), let mac = Data(base64URLEncoded: String(parts[1])),
            mac.count == 16, zip(self.mac(payload), mac).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0  // in constant time
        else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5, fields[0] == "1", fields[1] == sort.rawValue, fields[2] == (descending ? "d" : "a"),
            let id = UUID(text: fields[4]), let kind = fields[3].first
        else { return nil }
        let raw = String(fields[3].dropFirst())
        let value: TaskQuery.SortValue
        switch kind {
        case "d": guard let milliseconds = Int64(raw) else { return nil }; value = .date(Date(milliseconds: milliseconds))
        case "n": value = .date(nil)
        case "i": guard let number = Int(raw) else { return nil }; value = .integer(number)
        case "t": guard let data = Data(base64URLEncoded: raw) else { return nil }; value = .text(String(decoding: data, as: UTF8.self))
        case "s": guard let bits = UInt64(raw) else { return nil }; value = .score(Double(bitPattern: bits))
        default: return nil
        }
        return TaskQuery.Position(value: value, id: id)
    }
}

extension [UInt8] {
    /// Base64 with `-` and `_`, unpadded (RFC 4648, section 5), written straight into the string.
    var base64URLEncoded: String {
        String(unsafeUninitializedCapacity: (count * 4 + 2) / 3) { text in
            var at = 0
            func put(_ sextet: UInt32) {
                text[at] = Self.base64URLAlphabet[Int(sextet & 63)]
                at += 1
            }
            var index = 0
            while index + 3 <= count {
                let group = UInt32(self[index]) << 16 | UInt32(self[index + 1]) << 8 | UInt32(self[index + 2])
                put(group >> 18); put(group >> 12); put(group >> 6); put(group)
                index += 3
            }
            switch count - index {
            case 2:
                let group = UInt32(self[index]) << 16 | UInt32(self[index + 1]) << 8
                put(group >> 18); put(group >> 12); put(group >> 6)
            case 1:
                let group = UInt32(self[index]) << 16
                put(group >> 18); put(group >> 12)
            default: break
            }
            return at
        }
    }

    private static let base64URLAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
}

extension Data {
    /// The bytes of unpadded base64url text (as ``Swift/Array/base64URLEncoded`` writes it); nil for anything else.
    init?(base64URLEncoded text: some StringProtocol) {
        var base64: [UInt8] = []
        base64.reserveCapacity(text.utf8.count + 3)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                base64.append(byte)
            case UInt8(ascii: "-"): base64.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): base64.append(UInt8(ascii: "/"))
            default: return nil
            }
        }
        base64.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (4 - base64.count % 4) % 4))
        self.init(base64Encoded: Data(base64))
    }
}

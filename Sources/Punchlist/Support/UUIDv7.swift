import Foundation

extension UUID {
    /// A version 7 UUID: 48 bits of Unix milliseconds, then random bits, so ids sort by creation.
    static func v7(at date: Date = Date()) -> UUID {
        let milliseconds = UInt64(max(0, date.milliseconds))
        var random = SystemRandomNumberGenerator()
        // Version 7 in the top nibble of byte 6, 12 random bits under it, then the variant and 62 random bits.
        let high = milliseconds << 16 | 0x7000 | random.next() & 0x0FFF
        return UUID(high: high, low: random.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000)
    }

    /// A version 4 (random) UUID. Foundation's `UUID()` opens, reads and closes `/dev/urandom`
    /// for every one; this asks the kernel twice (`getrandom`).
    static func random() -> UUID {
        var random = SystemRandomNumberGenerator()
        let high = random.next() & 0xFFFF_FFFF_FFFF_0FFF | 0x4000
        return UUID(high: high, low: random.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000)
    }

    /// The UUID whose 16 bytes are `high` then `low`, each big-endian.
    init(high: UInt64, low: UInt64) {
        let h = high.bigEndian, l = low.bigEndian
        self = withUnsafeBytes(of: (h, l)) { UUID(uuid: $0.load(as: uuid_t.self)) }
    }

    /// Lower-case text, the form the API and the databases use.
    var lowercased: String {
        var text: [UInt8] = []
        text.append(addingCapacity: 36) { writeLowercased(to: &$0) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Writes the 36 bytes of the lower-case text into `out` (hex by hand: Foundation's goes through `sprintf`).
    func writeLowercased(to out: inout OutputSpan<UInt8>) {
        withUnsafeBytes(of: uuid) { raw in
            JSONPieces.fill(36, of: &out) { text in
                var at = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    text[at] = Self.hexDigit(raw[index] >> 4)
                    text[at + 1] = Self.hexDigit(raw[index] & 0x0F)
                    at += 2
                }
                return at
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 48 + nibble : 87 + nibble
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in either case, as `UUID(uuidString:)` does, without `sscanf`.
    init?(text: String) {
        var text = text
        let parsed: uuid_t? = text.withUTF8 { bytes in
            guard bytes.count == 36 else { return nil }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let ok = withUnsafeMutableBytes(of: &value) { out -> Bool in
                var at = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        guard bytes[at] == UInt8(ascii: "-") else { return false }
                        at += 1
                    }
                    guard let high = Self.nibble(bytes[at]), let low = Self.nibble(bytes[at + 1]) else { return false }
                    out[index] = high << 4 | low
                    at += 2
                }
                return true
            }
            return ok ? value : nil
        }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

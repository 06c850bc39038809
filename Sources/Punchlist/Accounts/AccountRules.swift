/// The contract's rules for account fields; each returns an error message or nil.
enum AccountRules {
    /// Trimmed and lower-cased, so lookups are case-insensitive.
    static func normalizedEmail(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func emailProblem(_ email: String) -> String? {
        if email.isEmpty { return "must not be empty" }
        if email.unicodeScalars.count > 254 { return "must be at most 254 characters" }
        guard let at = email.lastIndex(of: "@") else { return "must be an email address" }
        let local = email[..<at]
        let domain = email[email.index(after: at)...]
        let visible = email.unicodeScalars.allSatisfy { !$0.properties.isWhitespace && $0.value >= 0x20 && $0.value != 0x7F }
        guard !local.isEmpty, local.unicodeScalars.count <= 64, !domain.isEmpty, !domain.hasPrefix("."), !domain.hasSuffix("."), visible else {
            return "must be an email address"
        }
        return nil
    }

    static func passwordProblem(_ password: String) -> String? {
        let length = password.unicodeScalars.count
        if length < 8 { return "must be at least 8 characters" }
        if length > 128 { return "must be at most 128 characters" }
        if password.unicodeScalars.contains("\u{0}") { return "must not contain NUL characters" }
        return nil
    }

    static func normalizedName(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func nameProblem(_ name: String) -> String? {
        if name.unicodeScalars.count > 100 { return "must be at most 100 characters" }
        if name.unicodeScalars.contains("\u{0}") { return "must not contain NUL characters" }
        return nil
    }
}

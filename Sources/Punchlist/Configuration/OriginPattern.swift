/// An allowed browser origin, possibly with `*` standing for one or more host labels
/// (`https://*.vercel.app`).
public struct OriginPattern: Sendable, Equatable {
    let scheme: String
    /// Host labels, lower-cased; `"*"` matches one or more labels.
    let labels: [String]
    let port: String?

    /// Parses a comma-separated list; an empty string allows no other origin.
    static func list(_ text: String, variable: String) throws -> [OriginPattern] {
        try text.split(separator: ",").map { try OriginPattern(String($0), variable: variable) }
    }

    init(_ raw: String, variable: String) throws {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "*" {
            // Any origin: safe here because the API never allows credentials (cookies) cross-origin.
            (scheme, labels, port) = ("*", [], nil)
            return
        }
        let invalid = SettingsError(variable, expected: "origins such as https://app.example.com or https://*.vercel.app, got '\(text)'")
        guard let schemeEnd = text.range(of: "://") else { throw invalid }
        scheme = String(text[..<schemeEnd.lowerBound])
        var hostPort = String(text[schemeEnd.upperBound...])
        if hostPort.hasSuffix("/") { hostPort.removeLast() }
        guard ["http", "https"].contains(scheme), !hostPort.isEmpty, !hostPort.contains("/") else { throw invalid }
        let parts = hostPort.split(separator: ":", maxSplits: 1)
        port = parts.count == 2 ? String(parts[1]) : nil
        labels = parts[0].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard labels.allSatisfy({ !$0.isEmpty }), labels.filter({ $0 == "*" }).count <= 1 else { throw invalid }
    }

    /// Whether a request's `Origin` header value is allowed by this pattern.
    func matches(_ origin: String) -> Bool {
        if scheme == "*" { return true }
        let text = origin.lowercased()
        guard let schemeEnd = text.range(of: "://"), text[..<schemeEnd.lowerBound] == scheme else { return false }
        let hostPort = text[schemeEnd.upperBound...]
        let parts = hostPort.split(separator: ":", maxSplits: 1)
        guard let hostPart = parts.first, (parts.count == 2 ? String(parts[1]) : nil) == port else { return false }
        let host = hostPart.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard host.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) else { return false }
        guard let star = labels.firstIndex(of: "*") else { return host == labels }
        let prefix = labels[..<star]
        let suffix = labels[(star + 1)...]
        // `*` stands for at least one label, so the host must be longer than the fixed labels.
        guard host.count > prefix.count + suffix.count else { return false }
        return host.prefix(prefix.count).elementsEqual(prefix) && host.suffix(suffix.count).elementsEqual(suffix)
    }
}

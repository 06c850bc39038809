/// `N/second`, `N/minute` or `N/hour`: how many attempts a client may make in a window.
public struct RateLimit: Sendable, Equatable {
    /// Attempts allowed per window.
    public var count: Int
    /// The window's length in seconds.
    public var window: Int

    /// Parses the setting; `off` gives nil.
    init?(_ text: String, variable: String) throws {
        let lowered = text.lowercased()
        if lowered == "off" { return nil }
        let parts = lowered.split(separator: "/")
        let windows = ["second": 1, "minute": 60, "hour": 3600]
        guard parts.count == 2, let count = Int(parts[0]), count > 0, let window = windows[String(parts[1])] else {
            throw SettingsError(variable, expected: "N/second, N/minute, N/hour or off, got '\(text)'")
        }
        self.count = count
        self.window = window
    }
}

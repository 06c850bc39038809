/// A setting that cannot be used, reported as one line that names the variable.
public struct SettingsError: Error, CustomStringConvertible, Sendable {
    /// The environment variable at fault.
    public let variable: String
    /// What was expected instead.
    public let expected: String

    public init(_ variable: String, expected: String) {
        self.variable = variable
        self.expected = expected
    }

    public var description: String { "\(variable): \(expected)" }
}

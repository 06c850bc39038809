import Foundation

/// How the assistant reaches its language model; see docs/ASSISTANT.md.
public struct AssistantSettings: Sendable {
    /// `LLM_BASE_URL`: an OpenAI-compatible API root such as `https://api.openai.com/v1` or
    /// `http://localhost:11434/v1`; defaults to OpenAI's when only a key is given.
    public var baseURL: String?
    /// `LLM_API_KEY`: sent as a bearer token; never logged. Local servers need none.
    public var apiKey: String?
    /// `LLM_MODEL`: the chat model, which must support tool calling.
    public var model: String?
    /// `EMBEDDING_MODEL`: when set, retrieval also ranks tasks by embedding similarity.
    public var embeddingModel: String?
    /// `LLM_TIMEOUT`: the longest one call to the model may take.
    public var timeout: Duration
    /// `ASSISTANT_MAX_TOOL_ROUNDS`: how many rounds of tool calls one message may cause.
    public var maxToolRounds: Int
    /// `ASSISTANT_RATE_LIMIT`: chat messages per user (each costs a model call); nil when `off`.
    public var rateLimit: RateLimit?

    static let openAIBaseURL = "https://api.openai.com/v1"

    init(_ env: Variables) throws {
        if let url = env["LLM_BASE_URL"] {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw SettingsError("LLM_BASE_URL", expected: "an http:// or https:// URL such as http://localhost:11434/v1")
            }
            baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        apiKey = env["LLM_API_KEY"]
        if baseURL == nil, apiKey != nil { baseURL = Self.openAIBaseURL }
        model = env["LLM_MODEL"]
        embeddingModel = env["EMBEDDING_MODEL"]
        timeout = try env["LLM_TIMEOUT"].map { try Settings.duration($0, variable: "LLM_TIMEOUT") } ?? .seconds(120)
        maxToolRounds = try env.integer(
            "ASSISTANT_MAX_TOOL_ROUNDS", default: 6, in: 1...20, expected: "a number of tool rounds from 1 to 20")
        rateLimit = try RateLimit(env["ASSISTANT_RATE_LIMIT"] ?? "30/minute", variable: "ASSISTANT_RATE_LIMIT")
    }

    /// The variables still to set before the assistant can answer; empty when it can.
    public var missingVariables: [String] {
        var missing: [String] = []
        if baseURL == nil { missing.append("LLM_BASE_URL") }
        if model == nil { missing.append("LLM_MODEL") }
        return missing
    }
}

import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1

/// A language model's answer to one request: text, and the tools it wants called.
struct ModelTurn: Sendable, Equatable {
    var content: String
    var toolCalls: [ChatWire.ToolCall]
}

/// The model server failed or could not be reached; the route answers 502 with `detail`.
struct ModelFailure: Error, Sendable {
    var detail: String
}

/// An OpenAI-compatible chat-completions and embeddings endpoint, over async-http-client.
/// The API key goes in the `Authorization` header only: it is never logged or put in an error.
struct LanguageModel: Sendable {
    let baseURL: String
    let apiKey: String?
    let model: String
    let timeout: Duration
    /// Its own client: reads may be as slow as `LLM_TIMEOUT` allows (a CPU-only model can think
    /// for minutes), and redirects are not followed, so the key goes nowhere else.
    let client: HTTPClient

    /// The most an answer may take on the wire, streamed chunks and all.
    static let answerLimit = 8 << 20

    init?(_ settings: AssistantSettings) {
        guard let baseURL = settings.baseURL, let model = settings.model else { return nil }
        self.baseURL = baseURL
        self.apiKey = settings.apiKey
        self.model = model
        self.timeout = settings.timeout
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(settings.timeout.components.seconds + 1)))
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Asks for one answer. With `onText`, the answer is streamed and each piece of text is passed on as it arrives.
    func complete(
        _ messages: [ChatWire.Message], tools: [ChatWire.Tool], onText: (@Sendable (String) async throws -> Void)? = nil
    ) async throws -> ModelTurn {
        let body = ChatWire.Request(model: model, messages: messages, tools: tools, stream: onText != nil)
        return try await call("chat/completions", body: body) { response in
            let isStream = response.headers.first(name: "content-type")?.lowercased().hasPrefix("text/event-stream") ?? false
            // A server that ignores `stream: true` answers with one JSON document, read as such.
            if let onText, isStream { return try await Self.readStream(response.body, onText: onText) }
            let data = try await response.body.collect(upTo: Self.answerLimit)
            guard let completion = try? JSONDecoder().decode(ChatWire.Completion.self, from: data), let message = completion.choices.first?.message
            else { throw ModelFailure(detail: "The language model's answer was not a chat completion.") }
            return ModelTurn(content: message.content ?? "", toolCalls: message.toolCalls ?? [])
        }
    }

    /// One vector per text, in order, from `embeddingModel`.
    func embed(_ texts: [String], embeddingModel: String) async throws -> [[Float]] {
        try await call("embeddings", body: ChatWire.EmbeddingRequest(model: embeddingModel, input: texts)) { response in
            let data = try await response.body.collect(upTo: 64 << 20)
            guard let decoded = try? JSONDecoder().decode(ChatWire.EmbeddingResponse.self, from: data), decoded.data.count == texts.count
            else { throw ModelFailure(detail: "The embedding model's answer did not hold one vector per text.") }
            let ordered = decoded.data.enumerated().sorted { ($0.element.index ?? $0.offset) < ($1.element.index ?? $1.offset) }
            return ordered.map(\.element.embedding)
        }
    }

    /// POSTs `body` to `path` under the base URL and reads a 2xx answer with `read`, all within the timeout.
    private func call<Body: Encodable, Result: Sendable>(
        _ path: String, body: Body, read: @escaping @Sendable (HTTPClientResponse) async throws -> Result
    ) async throws -> Result {
        var request = HTTPClientRequest(url: "\(baseURL)/\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let host = URL(string: baseURL)?.host ?? "the model server"
        let timeout = timeout
        let prepared = request
        let client = client
        do {
            return try await withDeadline(timeout) {
                let response = try await client.execute(prepared, timeout: .seconds(timeout.components.seconds + 1))
                guard (200..<300).contains(response.status.code) else {
                    let text = try? await response.body.collect(upTo: 64 << 10)
                    throw ModelFailure(detail: redacted(Self.describe(status: response.status, body: text, host: host)))
                }
                return try await read(response)
            }
        } catch is DeadlineExceeded {
            throw ModelFailure(detail: "The language model at \(host) did not answer within \(timeout) (LLM_TIMEOUT).")
        } catch let failure as ModelFailure {
            throw ModelFailure(detail: redacted(failure.detail))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ModelFailure(detail: "The language model at \(host) could not be reached (\(Self.kind(of: error))).")
        }
    }

    /// The text with the API key (and any long start of it) cut out: some gateways echo it in errors.
    func redacted(_ text: String) -> String {
        guard let apiKey, apiKey.count >= 8 else { return text }
        var text = text
        for length in stride(from: apiKey.count, through: 8, by: -1) {
            text = text.replacingOccurrences(of: String(apiKey.prefix(length)), with: "[redacted]")
        }
        return text
    }

    /// What went wrong, in words that never include the API key.
    private static func describe(status: HTTPResponseStatus, body: ByteBuffer?, host: String) -> String {
        if status == .unauthorized || status == .forbidden {
            return "The language model at \(host) refused the API key (HTTP \(status.code)); check LLM_API_KEY."
        }
        var detail = "The language model at \(host) answered HTTP \(status.code)"
        if let body, let decoded = try? JSONDecoder().decode(ChatWire.ErrorBody.self, from: body), let message = decoded.error.message {
            detail += ": " + String(message.prefix(300))
        }
        return detail + "."
    }

    private static func kind(of error: any Error) -> String {
        if let error = error as? HTTPClientError { return error.shortDescription }
        return String(describing: type(of: error))
    }

    /// Reads `data:` lines of a streamed answer until `[DONE]`, assembling tool calls from their pieces.
    private static func readStream(_ body: HTTPClientResponse.Body, onText: @Sendable (String) async throws -> Void) async throws -> ModelTurn {
        var content = ""
        var calls: [Int: (id: String?, name: String, arguments: String)] = [:]
        var pending: [UInt8] = []
        var done = false
        var size = 0
        for try await buffer in body {
            size += buffer.readableBytes
            guard size <= answerLimit else {
                throw ModelFailure(detail: "The language model's answer was larger than \(answerLimit >> 20) MiB.")
            }
            pending.append(contentsOf: buffer.readableBytesView)
            while !done, let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if line.hasSuffix("\r") { line.removeLast() }
                guard line.hasPrefix("data:") else { continue }
                let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
                if payload == "[DONE]" {
                    done = true
                    break
                }
                guard let chunk = try? JSONDecoder().decode(ChatWire.Chunk.self, from: Data(payload.utf8)) else {
                    throw ModelFailure(detail: "The language model's stream held something other than chat-completion chunks.")
                }
                if let error = chunk.error {
                    throw ModelFailure(detail: "The language model failed mid-answer: \(String((error.message ?? "no reason given").prefix(300))).")
                }
                guard let delta = chunk.choices?.first?.delta else { continue }
                if let text = delta.content, !text.isEmpty {
                    content += text
                    try await onText(text)
                }
                for piece in delta.toolCalls ?? [] {
                    let index = piece.index ?? calls.count
                    var call = calls[index] ?? (id: nil, name: "", arguments: "")
                    if let id = piece.id { call.id = id }
                    if let name = piece.function?.name { call.name += name }
                    if let arguments = piece.function?.arguments { call.arguments += arguments }
                    calls[index] = call
                }
            }
            if done { break }
        }
        let toolCalls = calls.sorted { $0.key < $1.key }.map { index, call in
            ChatWire.ToolCall(id: call.id ?? "call_\(index)", name: call.name, arguments: call.arguments.isEmpty ? "{}" : call.arguments)
        }
        return ModelTurn(content: content, toolCalls: toolCalls)
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// What the fake model answers to one chat-completions request.
enum FakeModelReply: Sendable {
    case text(String)
    case toolCalls([(name: String, arguments: String)], text: String = "")
    case failure(status: Int, message: String)
    /// Waits this long before answering (for timeouts).
    case stall(Duration)
}

/// A chat-completions request as the fake received it.
struct ReceivedChat: @unchecked Sendable {
    let body: [String: Any]
    let authorization: String?

    var messages: [[String: Any]] { body["messages"] as? [[String: Any]] ?? [] }
    var system: String { messages.first { $0["role"] as? String == "system" }?["content"] as? String ?? "" }
    var toolResults: [String] { messages.filter { $0["role"] as? String == "tool" }.compactMap { $0["content"] as? String } }
    var streamed: Bool { body["stream"] as? Bool == true }
}

/// A test double of an OpenAI-compatible server, as a real HTTP server on a free port: it speaks
/// the wire protocol (JSON answers, streamed `data:` chunks with tool calls in pieces, error
/// bodies) and embeds text into a few concept dimensions.
final class FakeModelServer: Sendable {
    private let script: @Sendable (_ turn: Int, _ request: ReceivedChat) -> FakeModelReply
    private let received = Mutex<[ReceivedChat]>([])
    private let embedded = Mutex<[String]>([])

    init(_ script: @escaping @Sendable (_ turn: Int, _ request: ReceivedChat) -> FakeModelReply) {
        self.script = script
    }

    var requests: [ReceivedChat] { received.withLock { $0 } }
    var embeddedTexts: [String] { embedded.withLock { $0 } }

    /// Runs the server for the duration of `body`, passing the environment that points Punchlist at it.
    func run(_ body: @Sendable ([String: String]) async throws -> Void) async throws {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let data = try await request.body.collect(upTo: 1 << 22)
            let json = (try JSONSerialization.jsonObject(with: Data(buffer: data))) as? [String: Any] ?? [:]
            let chat = ReceivedChat(body: json, authorization: request.headers[.authorization])
            let turn = self.received.withLock { list in
                list.append(chat)
                return list.count - 1
            }
            var reply = self.script(turn, chat)
            if case .stall(let pause) = reply {
                try await Task.sleep(for: pause)
                reply = .text("too late")
            }
            return Self.response(reply, streamed: chat.streamed)
        }
        router.post("/v1/embeddings") { request, _ -> Response in
            let data = try await request.body.collect(upTo: 1 << 22)
            let json = (try JSONSerialization.jsonObject(with: Data(buffer: data))) as? [String: Any] ?? [:]
            let texts = json["input"] as? [String] ?? []
            self.embedded.withLock { $0 += texts }
            let items = texts.enumerated().map { ["object": "embedding", "index": $0.offset, "embedding": Self.embedding($0.element)] as [String: Any] }
            return Self.json(["object": "list", "data": items, "model": json["model"] ?? ""])
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(["LLM_BASE_URL": "http://127.0.0.1:\(port)/v1", "LLM_MODEL": "fake-model"])
        }
    }

    /// Concept dimensions: groceries, travel, home repairs, anything else.
    static func embedding(_ text: String) -> [Double] {
        let concepts: [Set<String>] = [
            ["grocery", "groceries", "milk", "eggs", "bread", "food", "shopping"],
            ["trip", "travel", "flight", "hotel", "passport", "lisbon"],
            ["plumber", "sink", "repair", "leak", "fix"],
        ]
        let words = text.lowercased().split { !$0.isLetter }.map(String.init)
        var vector = concepts.map { concept in Double(words.filter { concept.contains($0) }.count) }
        vector.append(vector.allSatisfy { $0 == 0 } ? 1 : 0)
        return vector
    }

    private static func response(_ reply: FakeModelReply, streamed: Bool) -> Response {
        switch reply {
        case .failure(let status, let message):
            var response = json(["error": ["message": message, "type": "server_error"]])
            response.status = .init(code: status)
            return response
        case .text(let text):
            return streamed ? stream(text: text, calls: []) : json(completion(text: text, calls: []))
        case .toolCalls(let calls, let text):
            return streamed ? stream(text: text, calls: calls) : json(completion(text: text, calls: calls))
        case .stall:
            return json(completion(text: "", calls: []))
        }
    }

    private static func completion(text: String, calls: [(name: String, arguments: String)]) -> [String: Any] {
        var message: [String: Any] = ["role": "assistant", "content": calls.isEmpty || !text.isEmpty ? text : NSNull()]
        if !calls.isEmpty {
            message["tool_calls"] = calls.enumerated().map { index, call in
                ["id": "call_\(index)", "type": "function", "function": ["name": call.name, "arguments": call.arguments]] as [String: Any]
            }
        }
        return [
            "id": "chatcmpl-fake", "object": "chat.completion", "model": "fake-model",
            "choices": [["index": 0, "message": message, "finish_reason": calls.isEmpty ? "stop" : "tool_calls"]],
        ]
    }

    /// The answer as `text/event-stream` chunks: text a few characters at a time, each tool call's
    /// arguments split in two, then `[DONE]`.
    private static func stream(text: String, calls: [(name: String, arguments: String)]) -> Response {
        var chunks: [[String: Any]] = [["role": "assistant", "content": ""]]
        var rest = Substring(text)
        while !rest.isEmpty {
            chunks.append(["content": String(rest.prefix(7))])
            rest = rest.dropFirst(7)
        }
        for (index, call) in calls.enumerated() {
            let half = call.arguments.index(call.arguments.startIndex, offsetBy: call.arguments.count / 2)
            chunks.append(["tool_calls": [["index": index, "id": "call_\(index)", "type": "function", "function": ["name": call.name, "arguments": ""]]]])
            chunks.append(["tool_calls": [["index": index, "function": ["arguments": String(call.arguments[..<half])]]]])
            chunks.append(["tool_calls": [["index": index, "function": ["arguments": String(call.arguments[half...])]]]])
        }
        // CRLF line ends (which SSE allows), a comment line, and the bytes sent three at a time, so lines and
        // multi-byte characters arrive split across reads as they can from a real server.
        var body = ": fake model\r\n\r\n"
        for delta in chunks {
            body += "data: " + encode(["id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [["index": 0, "delta": delta]]]) + "\r\n\r\n"
        }
        let finish: [String: Any] = ["index": 0, "delta": [String: Any](), "finish_reason": calls.isEmpty ? "stop" : "tool_calls"]
        body += "data: " + encode(["id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [finish]]) + "\r\n\r\ndata: [DONE]\r\n\r\n"
        let bytes = Array(body.utf8)
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream"],
            body: ResponseBody { writer in
                for start in stride(from: 0, to: bytes.count, by: 3) {
                    try await writer.write(ByteBuffer(bytes: bytes[start..<min(start + 3, bytes.count)]))
                }
                try await writer.finish(nil)
            })
    }

    private static func json(_ object: [String: Any]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: encode(object))))
    }

    private static func encode(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self)
    }
}

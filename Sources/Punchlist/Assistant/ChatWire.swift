import Foundation

/// The OpenAI chat-completions wire format, as every compatible server (OpenAI, Ollama, vLLM,
/// llama.cpp, Hugging Face) speaks it: only the parts Punchlist uses.
enum ChatWire {
    struct Message: Codable, Sendable, Equatable {
        var role: String
        var content: String?
        var toolCalls: [ToolCall]?
        var toolCallID: String?

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
            case toolCallID = "tool_call_id"
        }

        static func system(_ text: String) -> Message { Message(role: "system", content: text) }
        static func user(_ text: String) -> Message { Message(role: "user", content: text) }
        static func assistant(_ text: String, toolCalls: [ToolCall]? = nil) -> Message {
            Message(role: "assistant", content: text, toolCalls: toolCalls?.isEmpty == true ? nil : toolCalls)
        }
        static func tool(_ result: String, callID: String) -> Message { Message(role: "tool", content: result, toolCallID: callID) }
    }

    struct ToolCall: Codable, Sendable, Equatable {
        var id: String
        var type: String
        var function: FunctionCall

        init(id: String, name: String, arguments: String) {
            self.id = id
            self.type = "function"
            self.function = FunctionCall(name: name, arguments: arguments)
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Some local servers leave out the id or the type; the tool message must still name the call.
            id = try container.decodeIfPresent(String.self, forKey: .id) ?? "call_\(UUID().uuidString.prefix(8).lowercased())"
            type = try container.decodeIfPresent(String.self, forKey: .type) ?? "function"
            function = try container.decode(FunctionCall.self, forKey: .function)
        }
    }

    struct FunctionCall: Codable, Sendable, Equatable {
        var name: String
        /// The arguments as the model wrote them: JSON text that may be invalid.
        var arguments: String

        init(name: String, arguments: String) {
            self.name = name
            self.arguments = arguments
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            // Ollama has sent the arguments as an object rather than a string.
            if let text = try? container.decode(String.self, forKey: .arguments) {
                arguments = text
            } else {
                arguments = (try? container.decode(JSONValue.self, forKey: .arguments))?.text ?? "{}"
            }
        }
    }

    struct Tool: Encodable, Sendable {
        var type = "function"
        var function: Function

        struct Function: Encodable, Sendable {
            var name: String
            var description: String
            var parameters: JSONValue
        }
    }

    struct Request: Encodable {
        var model: String
        var messages: [Message]
        var tools: [Tool]
        var stream: Bool
    }

    /// A whole (non-streamed) answer.
    struct Completion: Decodable {
        var choices: [Choice]

        struct Choice: Decodable {
            var message: Message
        }
    }

    /// One streamed chunk.
    struct Chunk: Decodable {
        var choices: [Choice]?
        var error: ErrorBody.Detail?

        struct Choice: Decodable {
            var delta: Delta?
        }

        struct Delta: Decodable {
            var content: String?
            var toolCalls: [ToolCallDelta]?

            enum CodingKeys: String, CodingKey {
                case content
                case toolCalls = "tool_calls"
            }
        }

        struct ToolCallDelta: Decodable {
            var index: Int?
            var id: String?
            var function: FunctionDelta?
        }

        struct FunctionDelta: Decodable {
            var name: String?
            var arguments: String?
        }
    }

    /// `{"error": {"message": …}}`, as servers report failures.
    struct ErrorBody: Decodable {
        var error: Detail

        struct Detail: Decodable {
            var message: String?
        }
    }

    struct EmbeddingRequest: Encodable {
        var model: String
        var input: [String]
    }

    struct EmbeddingResponse: Decodable {
        var data: [Item]

        struct Item: Decodable {
            var embedding: [Float]
            var index: Int?
        }
    }
}

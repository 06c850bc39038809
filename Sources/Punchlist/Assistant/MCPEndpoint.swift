import Foundation
import HTTPTypes
import Hummingbird
import MCP
import NIOCore

/// `POST /mcp`: the assistant's tools for outside agents, over MCP's streamable HTTP transport
/// (stateless: every answer is `application/json`, no session id). The caller is the bearer
/// token's user, checked by ``AuthMiddleware`` before anything here runs.
struct MCPEndpoint: Sendable {
    let tools: TaskTools

    /// The largest JSON-RPC message accepted.
    static let bodyLimit = 1 << 20

    /// The SDK's checks, without its default localhost-only `Origin` rule: a deployed server has
    /// a real host name, and a bearer token (which a page on another site cannot read) guards every call.
    static let validation = StandardValidationPipeline(validators: [
        OriginValidator.disabled, AcceptHeaderValidator(mode: .jsonOnly), ContentTypeValidator(), ProtocolVersionValidator(),
    ])

    /// The tools as MCP lists them.
    static let catalog: [MCP.Tool] = AssistantTool.allCases.map { tool in
        MCP.Tool(
            name: tool.rawValue, description: tool.description, inputSchema: tool.parameters.mcpValue,
            annotations: .init(
                readOnlyHint: tool.isReadOnly, destructiveHint: tool == .deleteTask || tool == .updateTask,
                idempotentHint: tool != .addTask, openWorldHint: false))
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("/mcp") { request, context -> Response in
            let user = try context.requireIdentity().userID
            let body = try await JSONBody.collect(request, limit: Self.bodyLimit, accepting: JSONBody.isJSON)
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
            }
            let message = MCP.HTTPRequest(
                method: request.method.rawValue, headers: headers, body: body.readableBytes > 0 ? Data(buffer: body) : nil, path: request.uri.path)
            // One server per request, with the caller captured: the SDK matches answers to requests by
            // JSON-RPC id, which different clients reuse, so a shared server could mix callers up.
            let transport = StatelessHTTPServerTransport(validationPipeline: Self.validation)
            let server = await makeServer(for: user)
            try await server.start(transport: transport)
            let answer = await transport.handleRequest(message)
            await server.stop()
            return Self.response(answer)
        }
    }

    private func makeServer(for userID: UUID) async -> Server {
        let server = Server(
            name: "punchlist", version: Punchlist.version,
            instructions: "Punchlist to-do tasks of the signed-in user: list, search, add, update, complete and delete them.",
            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: Self.catalog) }
        await server.withMethodHandler(CallTool.self) { [tools] parameters in
            let members: [String: MCP.Value] = parameters.arguments ?? [:]
            let arguments = JSONValue.object(members.mapValues(JSONValue.init(mcp:)))
            let outcome = await tools.call(parameters.name, arguments: arguments, userID: userID)
            return try CallTool.Result(
                content: [.text(text: outcome.result.text, annotations: nil, _meta: nil)],
                structuredContent: outcome.result.mcpValue, isError: outcome.isError)
        }
        return server
    }

    private static func response(_ answer: MCP.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let status = HTTPResponse.Status(code: answer.statusCode)
        guard let data = answer.bodyData else { return Response(status: status, headers: fields) }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension JSONValue {
    /// The value as the MCP SDK represents JSON.
    var mcpValue: MCP.Value {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? .int(Int(number)) : .double(number)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(\.mcpValue))
        case .object(let members): .object(members.mapValues(\.mcpValue))
        }
    }

    init(mcp value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .number(Double(number))
        case .double(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .data(_, let data): self = .string(data.base64EncodedString())
        case .array(let items): self = .array(items.map(JSONValue.init(mcp:)))
        case .object(let members): self = .object(members.mapValues(JSONValue.init(mcp:)))
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird

/// Moving tasks in and out in bulk: NDJSON export streamed page by page (constant memory), and
/// import of NDJSON or a JSON array, all-or-nothing unless `?partial=true`.
struct TaskTransferRoutes: Sendable {
    let tasks: TaskService

    static let importLimit = 16 << 20
    static let maximumTasks = 10_000
    static let exportPageSize = 500

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("tasks/export") { _, context in
            let user = try context.requireIdentity().userID
            let body = ResponseBody { [tasks] writer in
                var query = TaskQuery()
                query.sort = .createdAt
                query.descending = false
                query.limit = Self.exportPageSize
                while true {
                    let page = try await tasks.list(userID: user, query: query)
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(page.items.count * 400)
                    for task in page.items {
                        bytes += task.json
                        bytes.append(UInt8(ascii: "\n"))
                    }
                    if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
                    guard let next = page.next else { break }
                    query.after = next
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/x-ndjson", .contentDisposition: "attachment; filename=\"punchlist-tasks.ndjson\""],
                body: body)
        }
        // An import parses and checks up to 16 MiB in one piece: not on the connection's event loop.
        registerImport(on: group.group().add(middleware: SharedPoolMiddleware()))
    }

    private func registerImport(on group: RouterGroup<AppRequestContext>) {
        group.post("tasks/import") { request, context in
            let user = try context.requireIdentity().userID
            let partial = try Self.partialFlag(request)
            let buffer = try await JSONBody.collect(request, limit: Self.importLimit) { type in
                JSONBody.isJSON(type) || type.lowercased().hasPrefix("application/x-ndjson") || type.lowercased().hasPrefix("application/jsonl")
            }
            // application/json is an array; NDJSON, or no type at all with a body not starting with `[`, is lines.
            let firstByte = buffer.readableBytesView.first { $0 > 32 }
            let isArray = request.headers[.contentType].map(JSONBody.isJSON) ?? (firstByte == UInt8(ascii: "["))
            let lines = try isArray ? Self.arrayItems(buffer) : Self.ndjsonLines(buffer)
            guard lines.count <= Self.maximumTasks else {
                throw Problem(.unprocessableContent, code: "too_many_tasks", detail: "An import holds at most \(Self.maximumTasks) tasks.")
            }
            let now = Date().roundedToMilliseconds
            var valid: [TaskItem] = []
            var lineErrors: [(line: Int, errors: [Problem.FieldError])] = []
            for (line, value) in lines {
                var errors: [Problem.FieldError] = []
                if let value {
                    let input = TaskInput(value, requireTitle: true, importing: true, errors: &errors)
                    if errors.isEmpty { valid.append(TaskService.newTask(input, userID: user, now: now)) }
                } else {
                    errors.append(.init(field: "", message: "is not valid JSON"))
                }
                if !errors.isEmpty { lineErrors.append((line, errors)) }
            }
            let errorsJSON = Self.lineErrorsJSON(lineErrors)
            if !lineErrors.isEmpty, !partial {
                var problem = Problem(
                    .unprocessableContent, code: "import_invalid",
                    detail: "\(lineErrors.count) of \(lines.count) tasks are invalid; nothing was imported (send ?partial=true to import the valid ones).")
                problem.extraMembers = [("created", Array("0".utf8)), ("errors", errorsJSON)]
                throw problem
            }
            try await tasks.insert(valid, userID: user)
            var json = JSONWriter()
            json.beginObject()
            json.key("created"); json.integer(valid.count)
            json.key("errors"); json.json(errorsJSON)
            json.endObject()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
        }
    }

    private static func partialFlag(_ request: Request) throws -> Bool {
        guard let text = request.uri.queryParameters["partial"].map(String.init) else { return false }
        guard let flag = Bool(text) else { throw Problem.invalidParameter("partial", mustBe: "true or false") }
        return flag
    }

    /// One value per non-blank line, numbered from 1; nil where a line is not JSON.
    private static func ndjsonLines(_ buffer: ByteBuffer) -> [(Int, JSONValue?)] {
        let bytes = buffer.readableBytesView
        var result: [(Int, JSONValue?)] = []
        var number = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            guard line.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { continue }
            result.append((number, JSONValue.parse(line)))
        }
        return result
    }

    /// The elements of a JSON array, numbered from 1.
    private static func arrayItems(_ buffer: ByteBuffer) throws -> [(Int, JSONValue?)] {
        guard buffer.readableBytes > 0 else { return [] }
        guard let value = JSONValue.parse(buffer.readableBytesView) else {
            throw Problem.badRequest(code: "malformed_json", "The body is not valid JSON.")
        }
        guard case .array(let items) = value else {
            throw Problem.validation(field: "", "must be a JSON array of tasks, or NDJSON")
        }
        return items.enumerated().map { ($0.offset + 1, $0.element) }
    }

    private static func lineErrorsJSON(_ lineErrors: [(line: Int, errors: [Problem.FieldError])]) -> [UInt8] {
        var json = JSONWriter()
        json.beginArray()
        for entry in lineErrors {
            json.beginObject()
            json.key("line"); json.integer(entry.line)
            json.key("errors")
            json.beginArray()
            for error in entry.errors {
                json.beginObject()
                json.key("field"); json.string(error.field)
                json.key("message"); json.string(error.message)
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        return json.bytes
    }
}

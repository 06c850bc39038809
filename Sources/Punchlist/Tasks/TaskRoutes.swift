import Foundation
import HTTPTypes
import Hummingbird

/// `/api/tasks`: translates HTTP to ``TaskService`` and back.
struct TaskRoutes: Sendable {
    let tasks: TaskService
    let parameters: TaskListParameters

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("tasks") { request, context in
            let user = try context.requireIdentity().userID
            let body = try await JSONBody.read(request, context: context)
            var errors: [Problem.FieldError] = []
            let input = TaskInput(body, requireTitle: true, errors: &errors)
            guard errors.isEmpty else { throw Problem.validation(errors) }
            guard let key = try IdempotencyKey.of(request, body: body) else {
                return Self.created(try await tasks.create(input, userID: user))
            }
            switch try await tasks.create(input, userID: user, key: key) {
            case .created(let task):
                return Self.created(task)
            case .replayed(let id, let json):
                // A create's answer is always at version 1.
                var response = Self.created(id: id, version: 1, json: ByteBuffer(string: json))
                response.headers[IdempotencyKey.replayedHeader] = "true"
                return response
            }
        }
        group.get("tasks") { request, context in
            let user = try context.requireIdentity().userID
            let query = try parameters.query(from: request, now: Date())
            let page = try await tasks.list(userID: user, query: query)
            let json = page.json(nextCursor: page.next.map { parameters.cursors.encode($0, sort: query.sort, descending: query.descending) })
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
        group.get("tasks/:id") { _, context in
            Self.taskResponse(try await tasks.task(id: try Self.taskID(context), userID: try context.requireIdentity().userID), status: .ok)
        }
        group.patch("tasks/:id") { request, context in
            let user = try context.requireIdentity().userID
            let id = try Self.taskID(context)
            let expected = try Self.expectedVersion(request)
            var errors: [Problem.FieldError] = []
            let input = TaskInput(try await JSONBody.read(request, context: context), requireTitle: false, errors: &errors)
            guard errors.isEmpty else { throw Problem.validation(errors) }
            return Self.taskResponse(try await tasks.update(id: id, userID: user, with: input, expectedVersion: expected), status: .ok)
        }
        group.delete("tasks/:id") { request, context in
            let user = try context.requireIdentity().userID
            try await tasks.delete(id: try Self.taskID(context), userID: user, expectedVersion: try Self.expectedVersion(request))
            return Response(status: .noContent)
        }
    }

    /// The task id from the path; anything that is not a UUID names no task.
    static func taskID(_ context: AppRequestContext) throws -> UUID {
        try context.idParameter(notFound: "No such task.")
    }

    /// The version `If-Match` expects: `"3"`, `3` or `*` (any version).
    static func expectedVersion(_ request: Request) throws -> Int? {
        guard let header = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if header == "*" { return nil }
        let unquoted = header.hasPrefix("\"") && header.hasSuffix("\"") && header.count >= 2 ? String(header.dropFirst().dropLast()) : header
        guard (1...18).contains(unquoted.count), unquoted.allSatisfy(\.isASCII), unquoted.allSatisfy(\.isNumber), !unquoted.hasPrefix("0"),
            let version = Int(unquoted)
        else {
            throw Problem.invalidParameter("If-Match", mustBe: "a task version such as \"3\" (the ETag), or *")
        }
        return version
    }

    /// The 201 of a create.
    static func created(_ task: TaskItem) -> Response {
        created(id: task.id, version: task.version, json: ByteBuffer(bytes: task.json))
    }

    /// The 201 of a create, from the task's id, version and JSON (as a replay has them).
    static func created(id: UUID, version: Int, json: ByteBuffer) -> Response {
        var response = taskResponse(version: version, json: json, status: .created)
        response.headers[.location] = "/api/tasks/\(id.lowercased)"
        return response
    }

    static func taskResponse(_ task: TaskItem, status: HTTPResponse.Status) -> Response {
        taskResponse(version: task.version, json: ByteBuffer(bytes: task.json), status: status)
    }

    private static func taskResponse(version: Int, json: ByteBuffer, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .eTag: "\"\(version)\""], body: .init(byteBuffer: json))
    }
}

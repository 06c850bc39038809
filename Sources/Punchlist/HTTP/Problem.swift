import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem document: every error Punchlist answers with.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A stable, machine-readable slug, such as `validation_failed`.
    public var code: String
    public var detail: String
    /// The offending fields, for validation failures.
    public var fieldErrors: [FieldError]
    public var headers: HTTPFields
    /// Extra members written into the document beside the standard ones.
    public var extraMembers: [(key: StaticString, value: [UInt8])]

    /// One invalid field: its JSON path and what is wrong with it.
    public struct FieldError: Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public init(
        _ status: HTTPResponse.Status, code: String, detail: String, fieldErrors: [FieldError] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
        self.extraMembers = []
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let document = document(requestID: (context as? AppRequestContext)?.requestID ?? "")
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if status == .unauthorized, headers[.wwwAuthenticate] == nil {
            headers[.wwwAuthenticate] = "Bearer"
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }

    /// The problem document's JSON, as a response body or a streamed `error` event carries it.
    func document(requestID: String) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("type"); json.string("about:blank")
        json.key("title"); json.string(status.reasonPhrase)
        json.key("status"); json.integer(status.code)
        json.key("code"); json.string(code)
        json.key("detail"); json.string(detail)
        if !fieldErrors.isEmpty {
            json.key("errors")
            json.beginArray()
            for error in fieldErrors {
                json.beginObject()
                json.key("field"); json.string(error.field)
                json.key("message"); json.string(error.message)
                json.endObject()
            }
            json.endArray()
        }
        if !requestID.isEmpty {
            json.key("request_id"); json.string(requestID)
        }
        for member in extraMembers {
            json.key(member.key)
            json.json(member.value)
        }
        json.endObject()
        return json.bytes
    }
}

extension Problem {
    static func notFound(_ detail: String = "No such resource.") -> Problem {
        Problem(.notFound, code: "not_found", detail: detail)
    }

    static func validation(_ errors: [FieldError]) -> Problem {
        let detail = errors.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
        return Problem(.unprocessableContent, code: "validation_failed", detail: detail, fieldErrors: errors)
    }

    static func validation(field: String, _ message: String) -> Problem {
        validation([FieldError(field: field, message: message)])
    }

    static func badRequest(code: String = "invalid_parameter", _ detail: String) -> Problem {
        Problem(.badRequest, code: code, detail: detail)
    }

    /// `400 invalid_parameter` for a query parameter or header `name` whose value is not `expected`,
    /// naming it in `errors` as the OpenAPI document says.
    static func invalidParameter(_ name: String, mustBe expected: String) -> Problem {
        Problem(
            .badRequest, code: "invalid_parameter", detail: "\(name) must be \(expected).",
            fieldErrors: [.init(field: name, message: "must be \(expected)")])
    }

    static func unauthorized(_ detail: String = "A valid bearer token is required.") -> Problem {
        Problem(.unauthorized, code: "unauthorized", detail: detail)
    }

    /// 429 with `Retry-After`: `what` ("Too many attempts") was refused for `wait` seconds.
    static func rateLimited(_ what: String, retryAfter wait: Int) -> Problem {
        Problem(.tooManyRequests, code: "rate_limited", detail: "\(what); try again in \(wait) seconds.", headers: [.retryAfter: String(wait)])
    }

    static func unavailable(_ detail: String = "The database is not answering; try again shortly.") -> Problem {
        Problem(.serviceUnavailable, code: "database_unavailable", detail: detail, headers: [.retryAfter: "5"])
    }

    /// PostgreSQL turned the request away for a concurrent change every time it was tried (``PostgresConflict``).
    static func busy() -> Problem {
        Problem(
            .serviceUnavailable, code: "database_busy", detail: "The database was busy with concurrent changes; try again.",
            headers: [.retryAfter: "1"])
    }
}

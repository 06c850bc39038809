import HTTPTypes
import Hummingbird

/// Reads a request's JSON body: 415 for another media type, 413 past the limit, 400 for bytes
/// that are not JSON.
enum JSONBody {
    /// The contract's default body limit.
    static let defaultLimit = 1 << 20

    static func read(_ request: Request, context: AppRequestContext, limit: Int = defaultLimit) async throws -> JSONValue {
        let buffer = try await collect(request, limit: limit, accepting: isJSON)
        guard buffer.readableBytes > 0 else {
            throw Problem.badRequest(code: "malformed_json", "A JSON body is required.")
        }
        guard let value = buffer.withUnsafeReadableBytes({ JSONValue.parse($0) }) else {
            throw Problem.badRequest(code: "malformed_json", "The body is not valid JSON.")
        }
        return value
    }

    /// Collects the body after checking its media type; a missing `Content-Type` is taken as JSON.
    static func collect(_ request: Request, limit: Int, accepting accepts: (String) -> Bool) async throws -> ByteBuffer {
        if let contentType = request.headers[.contentType], !accepts(contentType) {
            throw Problem(.unsupportedMediaType, code: "unsupported_media_type", detail: "Send the body as application/json.")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge(limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge(limit)
        }
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }

    private static func tooLarge(_ limit: Int) -> Problem {
        Problem(.contentTooLarge, code: "payload_too_large", detail: "The body is larger than \(limit / (1 << 20)) MiB.")
    }
}

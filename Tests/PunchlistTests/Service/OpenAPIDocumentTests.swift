import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Punchlist

/// The OpenAPI document and the server describe the same routes: every documented operation
/// is answered by a route (not the router's 404 or 405), and every route registered in the
/// sources is documented.
@Suite struct OpenAPIDocumentTests {
    static var document: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(PackageResources.openapi_json))) as? [String: Any] ?? [:]
    }

    static var documented: Set<String> {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        let verbs: Set<String> = ["get", "post", "put", "patch", "delete"]
        return Set(paths.flatMap { path, item in item.keys.filter(verbs.contains).map { "\($0.uppercased()) \(path)" } })
    }

    /// Routes as the sources register them: `router.get("/health")` or `group.post("tasks/:id")` under `/api`.
    static var registered: Set<String> {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Punchlist")
        let pattern = try! NSRegularExpression(pattern: #"(?:router|group)\.(get|post|put|patch|delete)\("([^"]*)"\)"#)
        var routes = Set<String>()
        for case let file as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        where file.pathExtension == "swift" {
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let method = String(text[Range(match.range(at: 1), in: text)!]).uppercased()
                var path = String(text[Range(match.range(at: 2), in: text)!])
                path = path.hasPrefix("/") ? path : "/api/" + path
                path = path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                routes.insert("\(method) /\(path)")
            }
        }
        return routes
    }

    @Test func everyRegisteredRouteIsDocumentedAndNothingElse() {
        #expect(Self.registered.count > 15)
        #expect(Self.registered.subtracting(Self.documented).isEmpty, "undocumented: \(Self.registered.subtracting(Self.documented))")
        #expect(Self.documented.subtracting(Self.registered).isEmpty, "documented but missing: \(Self.documented.subtracting(Self.registered))")
    }

    @Test func everyDocumentedOperationIsAnswered() async throws {
        try await withApp(.sqlite) { client in
            let user = try await client.signUp()
            for operation in Self.documented.sorted() where !operation.hasSuffix("/me") || operation.hasPrefix("GET") {
                let parts = operation.split(separator: " ")
                let path = String(parts[1]).replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
                // The live streams never end: asked without a token, they still show they exist (401, 426).
                let isStream = path.hasPrefix("/api/events") || path.hasPrefix("/api/live")
                let response = try await client.send(HTTPRequest.Method(rawValue: String(parts[0]))!, path, headers: isStream ? [:] : user.auth)
                #expect(response.status != .methodNotAllowed, "\(operation)")
                #expect(!response.text.contains("No route for"), "\(operation)")
                // With no language model configured, the chat says so (a documented 503).
                #expect(response.status.code < 500 || response.problemCode == "assistant_not_configured", "\(operation)")
            }
        }
    }

    @Test func documentIsOpenAPI31WithProblemResponses() {
        #expect((Self.document["openapi"] as? String)?.hasPrefix("3.1") == true)
        let schemas = (Self.document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        #expect(schemas?["Problem"] != nil)
        #expect(schemas?["Task"] != nil)
    }
}

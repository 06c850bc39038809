import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Punchlist

@Suite struct WebAppServingTests {
    static func publicDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("public-\(UUID())")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("js"), withIntermediateDirectories: true)
        try "<!doctype html><title>Punchlist</title><script type=module src=/js/app.js></script>".write(
            to: directory.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try String(repeating: "export const answer = 42;\n", count: 200).write(
            to: directory.appendingPathComponent("js/app.js"), atomically: true, encoding: .utf8)
        try "secret".write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        return directory.path
    }

    @Test func browsersGetTheAppAndClientsStillGetJSON() async throws {
        try await withApp(.sqlite, environment: ["PUBLIC_DIR": try Self.publicDirectory()]) { client in
            let page = try await client.send(.get, "/", headers: [.accept: "text/html"])
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("<title>Punchlist</title>"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            let api = try await client.send(.get, "/")
            #expect(api.headers[.contentType] == "application/json")
            #expect(api.json["name"] as? String == "Punchlist")
        }
    }

    @Test func assetsAreRevalidatedByETagAndGzipped() async throws {
        try await withApp(.sqlite, environment: ["PUBLIC_DIR": try Self.publicDirectory()]) { client in
            let script = try await client.send(.get, "/js/app.js")
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(script.headers[.cacheControl] == "no-cache")
            let etag = try #require(script.headers[.eTag])
            let again = try await client.send(.get, "/js/app.js", headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            let gzipped = try await client.send(.get, "/js/app.js", headers: [.acceptEncoding: "gzip, deflate"])
            #expect(gzipped.headers[.contentEncoding] == "gzip")
            #expect(gzipped.body.readableBytes < script.body.readableBytes / 5)
            #expect(try await client.send(.get, "/.env").status == .notFound)
            #expect(try await client.send(.get, "/js/../../etc/passwd").status == .notFound)
        }
    }
}

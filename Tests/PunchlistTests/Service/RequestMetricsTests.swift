import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Punchlist

/// What `/metrics` says of requests (``RequestMetricsMiddleware``), over a real socket.
@Suite struct RequestMetricsTests {
    /// The values of the Prometheus samples `name` for `route`. Each test's routes are its own: the
    /// registry is the process's, shared with every test running beside it.
    static func samples(_ name: String, route: String) -> [Double] {
        var bytes: [UInt8] = []
        ServiceMetrics.registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("\(name){") && $0.contains("http_route=\"\(route)\"") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    @Test func aResponseIsCountedWhenReadyAndAStreamWhenItsLastByteIsWritten() async throws {
        _ = ServiceMetrics.registry  // bootstraps swift-metrics, as the application does
        let base = "/metrics-test/\(UUID().uuidString.prefix(8).lowercased())"
        let (released, release) = AsyncStream<Void>.makeStream()
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware())
        router.get("\(base)/plain") { _, _ in "ok" }
        router.get("\(base)/stream") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "first\n"))
                    for await _ in released { break }
                    try await writer.write(ByteBuffer(string: "last\n"))
                    try await writer.finish(nil)
                })
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            defer { release.finish() }  // however the test ends, the stream ends, and the server can stop
            let plain = try await client.execute(uri: "\(base)/plain", method: .get)
            #expect(String(buffer: plain.body) == "ok")
            #expect(Self.samples("hb_requests", route: "\(base)/plain") == [1])

            // A stream in flight is not counted yet; once it ends, it is, with its whole duration.
            let port = try #require(client.port)
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(base)/stream"), timeout: .seconds(10))
            var body = response.body.makeAsyncIterator()
            #expect(try await body.next().map { String(buffer: $0) } == "first\n")
            try await Task.sleep(for: .milliseconds(300))
            #expect(Self.samples("hb_requests", route: "\(base)/stream").reduce(0, +) == 0)
            release.yield()
            var rest = ""
            while let chunk = try await body.next() { rest += String(buffer: chunk) }
            #expect(rest == "last\n")
            // The count is recorded just after the last byte is handed to the connection.
            for _ in 0..<100 where Self.samples("hb_requests", route: "\(base)/stream").reduce(0, +) == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(Self.samples("hb_requests", route: "\(base)/stream") == [1])
            let seconds = Self.samples("http_server_request_duration_sum", route: "\(base)/stream")
            #expect(seconds.count == 1 && seconds[0] >= 0.3, "\(seconds)")
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird

/// The routes every deployment needs: liveness, readiness, the API description and metrics.
struct ServiceRoutes {
    let store: any Store
    let metricsToken: String?
    let openAPIDocument: [UInt8]

    func register(on router: Router<AppRequestContext>) {
        router.get("/health") { _, _ in
            jsonResponse(["status": "healthy", "service": "punchlist", "version": Punchlist.version])
        }
        router.get("/ready") { _, context in
            do {
                try await withDeadline(.seconds(1)) { [store] in try await store.ping() }
            } catch {
                context.logger.warning("readiness check failed: the database did not answer within a second")
                throw Problem.unavailable()
            }
            return jsonResponse(["status": "ready", "database": store.kind])
        }
        router.get("/") { request, _ in
            if Self.prefersHTML(request) {
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DocsPages.landing)))
            }
            return jsonResponse(["name": "Punchlist", "version": Punchlist.version, "docs": "/docs", "health": "/health"])
        }
        router.get("/openapi.json") { [openAPIDocument] _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: openAPIDocument)))
        }
        router.get("/docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DocsPages.swaggerUI)))
        }
        router.get("/redoc") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DocsPages.redoc)))
        }
        router.get("/metrics") { [metricsToken] request, _ in
            if let metricsToken, request.headers[.authorization] != "Bearer \(metricsToken)" {
                throw Problem.unauthorized("/metrics needs the bearer token set in METRICS_TOKEN.")
            }
            var bytes: [UInt8] = []
            ServiceMetrics.registry.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// Whether the client asked for a page (a browser) rather than data.
    static func prefersHTML(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept] else { return false }
        return accept.contains("text/html")
    }
}

/// A small JSON object of strings as a response.
func jsonResponse(_ members: KeyValuePairs<String, String>, status: HTTPResponse.Status = .ok) -> Response {
    var json = JSONWriter(capacity: 128)
    json.beginObject()
    for (key, value) in members {
        json.dynamicKey(key)
        json.string(value)
    }
    json.endObject()
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
}

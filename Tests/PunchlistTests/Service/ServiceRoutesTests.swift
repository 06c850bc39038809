import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Punchlist

@Suite struct ServiceRoutesTests {
    @Test(arguments: TestDatabase.all)
    func healthAndReadinessReportTheServiceAndItsDatabase(database: TestDatabase) async throws {
        try await withApp(database) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.body.jsonObject["status"] as? String == "healthy")
                #expect(response.body.jsonObject["service"] as? String == "punchlist")
                #expect(response.body.jsonObject["version"] as? String == Punchlist.version)
            }
            let ready = try await client.readiness()
            #expect(ready.status == .ok)
            #expect(ready.json["status"] as? String == "ready")
            #expect(ready.json["database"] as? String == database.rawValue)
        }
    }

    @Test func rootAnswersJSONToClientsAndAPageToBrowsers() async throws {
        try await withApp(.sqlite) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.body.jsonObject["docs"] as? String == "/docs")
                #expect(response.body.jsonObject["health"] as? String == "/health")
            }
            try await client.execute(uri: "/", method: .get, headers: [.accept: "text/html,application/xhtml+xml"]) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            }
        }
    }

    @Test func openAPIDocumentIsServedAndDescribesTheServiceRoutes() async throws {
        try await withApp(.sqlite) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = response.body.jsonObject
                #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
                let paths = document["paths"] as? [String: Any] ?? [:]
                for path in ["/health", "/ready", "/", "/openapi.json", "/docs", "/redoc", "/metrics"] {
                    #expect(paths[path] != nil, "\(path) is not documented")
                }
            }
            for page in ["/docs", "/redoc"] {
                try await client.execute(uri: page, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("/openapi.json"))
                }
            }
        }
    }

    @Test func metricsCountRequestsInPrometheusFormat() async throws {
        // Over a real socket, as a deployment is measured (RequestMetricsTests has when each request is recorded).
        try await withApp(.sqlite, framework: .live) { client in
            try await client.execute(uri: "/health", method: .get) { response in #expect(response.status == .ok) }
            let user = try await client.signUp()
            _ = try await client.send(.get, "/api/tasks", headers: user.auth)
            try await LiveSocket.connect(port: try #require(client.port), query: "access_token=\(user.token)") { _ in
                try await Task.sleep(for: .milliseconds(100))
            }
            _ = try await client.execute(uri: "/metrics", method: .get)
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE"))
                #expect(text.contains("http_route=\"/health\""))
                #expect(text.contains("http_server_request_duration_bucket"))
                // Database use and live connections, as API.md section 2 lists them.
                #expect(text.contains("punchlist_database_pool_size"))
                #expect(text.contains("punchlist_database_operations_in_flight"))
                #expect(text.contains("punchlist_database_operation_duration"))
                #expect(text.contains("punchlist_live_connections"))
            }
        }
    }

    @Test func metricsTokenGuardsTheMetrics() async throws {
        try await withApp(.sqlite, environment: ["METRICS_TOKEN": "sesame"]) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(!String(buffer: response.body).contains("sesame"))
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer sesame"]) { response in
                #expect(response.status == .ok)
            }
        }
    }
}

@Suite struct DataDirectoryTests {
    @Test func anUnwritableDataDirectoryFallsBackToATemporaryOneAndStillServes() async throws {
        // /proc cannot hold a directory, even for root: like a container's /data without a volume.
        try await withApp(.sqlite, environment: ["DATA_DIR": "/proc/punchlist-data"]) { client in
            #expect(try await client.readiness().status == .ok)
            let user = try await client.signUp()
            #expect(try await client.send(.post, "/api/tasks", json: ["title": "kept for now"], headers: user.auth).status == .created)
        }
    }
}

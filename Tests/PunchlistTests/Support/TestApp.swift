import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Punchlist

/// Settings every test starts from: a free port, fast password hashing, no rate limits.
let testDefaults: [String: String] = [
    "PORT": "0", "AUTH_BCRYPT_COST": "4", "AUTH_RATE_LIMIT": "off", "LOG_FORMAT": "text",
    "AUTH_SECRET": "test-secret-that-is-at-least-32-bytes-long!",
]

/// Builds the real application on a fresh database of the given kind and runs `test` against it.
func withApp(
    _ database: TestDatabase, environment: [String: String] = [:], framework: TestingSetup = .router,
    _ test: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let fresh = try await database.freshEnvironment()
    let settings = try Settings(environment: testDefaults.merging(fresh) { $1 }.merging(environment) { $1 })
    var logger = Logger(label: "punchlist-test")
    logger.logLevel = ProcessInfo.processInfo.environment["LIVE_TEST_TRACE"] != nil ? .trace : .warning
    let app = try await buildApplication(settings: settings, logger: logger)
    do {
        try await app.test(framework, test)
    } catch {
        await PostgresServer.dropDatabase(in: fresh)
        throw error
    }
    await PostgresServer.dropDatabase(in: fresh)
}

extension ByteBuffer {
    /// The body parsed as a JSON object.
    var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: self))) as? [String: Any] ?? [:]
    }
}

/// The rate limiters count in fixed windows that start on the minute. A test whose attempts must
/// fall in one window starts with at least `needed` seconds of it left, waiting for the next
/// minute otherwise: a full parallel run on two cores can stretch a few requests over seconds.
func startWithinOneRateLimitWindow(needing needed: Int = 25) async throws {
    let intoMinute = Int(Date().timeIntervalSince1970) % 60
    if intoMinute > 60 - needed { try await Task.sleep(for: .seconds(60 - intoMinute)) }
}

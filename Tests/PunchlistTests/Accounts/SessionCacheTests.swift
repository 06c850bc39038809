import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Punchlist

/// The session cache must never let an ended session through: these cover each way a session ends.
@Suite struct SessionCacheTests {
    let now = Date()

    func session(user: UUID = UUID(), expires: TimeInterval = 3600) -> Session {
        Session(id: UUID(), userID: user, createdAt: now, expiresAt: now + expires, revokedAt: nil)
    }

    @Test func remembersALiveSessionForItsUserOnly() {
        let cache = SessionCache(trusted: true)
        let live = session()
        cache.remember(live, readAt: cache.generation)
        #expect(cache.isLive(live.id, userID: live.userID, at: now))
        #expect(!cache.isLive(live.id, userID: UUID(), at: now))
    }

    @Test func forgetsALoggedOutSession() {
        let cache = SessionCache(trusted: true)
        let ended = session()
        let other = session(user: ended.userID)
        cache.remember(ended, readAt: cache.generation)
        cache.remember(other, readAt: cache.generation)
        cache.receive(.sessionEnded(ended.id))
        #expect(!cache.isLive(ended.id, userID: ended.userID, at: now))
        #expect(cache.isLive(other.id, userID: other.userID, at: now))
    }

    @Test func forgetsEveryOtherSessionOfAUserWhoseSessionsEnded() {
        let cache = SessionCache(trusted: true)
        let kept = session()
        let ended = session(user: kept.userID)
        let stranger = session()
        for session in [kept, ended, stranger] { cache.remember(session, readAt: cache.generation) }
        cache.receive(.userSessionsEnded(kept.userID, except: kept.id))
        #expect(cache.isLive(kept.id, userID: kept.userID, at: now))
        #expect(!cache.isLive(ended.id, userID: ended.userID, at: now))
        #expect(cache.isLive(stranger.id, userID: stranger.userID, at: now))
        cache.receive(.userSessionsEnded(kept.userID, except: nil))
        #expect(!cache.isLive(kept.id, userID: kept.userID, at: now))
    }

    @Test func doesNotRememberAReadThatRacedWithAnEnd() {
        let cache = SessionCache(trusted: true)
        let racing = session()
        let generation = cache.generation  // the request reads the row: still live
        cache.receive(.sessionEnded(racing.id))  // meanwhile, a logout commits
        cache.remember(racing, readAt: generation)
        #expect(!cache.isLive(racing.id, userID: racing.userID, at: now))
    }

    @Test func forgetsExpiredSessionsAndOldEntries() {
        let cache = SessionCache(trusted: true, lifetime: .zero)
        let live = session()
        cache.remember(live, readAt: cache.generation)
        #expect(!cache.isLive(live.id, userID: live.userID, at: now))
        let trusting = SessionCache(trusted: true)
        let expiring = session(expires: 10)
        trusting.remember(expiring, readAt: trusting.generation)
        #expect(!trusting.isLive(expiring.id, userID: expiring.userID, at: now + 11))
    }

    @Test func anUntrustedCacheKeepsNothingAndDistrustForgetsEverything() {
        let untrusted = SessionCache(trusted: false)
        let live = session()
        untrusted.remember(live, readAt: untrusted.generation)
        #expect(!untrusted.isLive(live.id, userID: live.userID, at: now))
        let cache = SessionCache(trusted: true)
        cache.remember(live, readAt: cache.generation)
        cache.trust(false)  // the PostgreSQL listener lost its connection
        #expect(!cache.isLive(live.id, userID: live.userID, at: now))
        cache.trust(true)
        #expect(!cache.isLive(live.id, userID: live.userID, at: now))
    }

    @Test(arguments: TestDatabase.all)
    func aPasswordChangeEndsOtherSessionsThatWereJustUsed(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp(password: "first password")
            let other = try await client.send(.post, "/api/auth/login", json: ["email": user.email, "password": "first password"])
            let otherAuth: HTTPFields = [.authorization: "Bearer \(try #require(other.json["access_token"] as? String))"]
            #expect(try await client.send(.get, "/api/auth/me", headers: otherAuth).status == .ok)  // now cached
            let changed = try await client.send(
                .patch, "/api/auth/me", json: ["password": "second password", "current_password": "first password"], headers: user.auth)
            #expect(changed.status == .ok)
            #expect(try await client.send(.get, "/api/tasks", headers: otherAuth).status == .unauthorized)
            #expect(try await client.send(.get, "/api/tasks", headers: user.auth).status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func deletingTheAccountEndsItsCachedSessions(database: TestDatabase) async throws {
        try await withApp(database) { client in
            let user = try await client.signUp()
            #expect(try await client.send(.get, "/api/tasks", headers: user.auth).status == .ok)
            #expect(try await client.send(.delete, "/api/auth/me", json: ["current_password": user.password], headers: user.auth).status == .noContent)
            #expect(try await client.send(.get, "/api/tasks", headers: user.auth).status == .unauthorized)
        }
    }

    /// Two replicas on one PostgreSQL database: a logout on one ends the session the other had cached.
    @Test func aLogoutOnOneReplicaEndsTheSessionOnAnother() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        let fresh = try await TestDatabase.postgres.freshEnvironment()
        let settings = try Settings(environment: testDefaults.merging(fresh) { $1 })
        var logger = Logger(label: "punchlist-test")
        logger.logLevel = .warning
        let first = try await buildApplication(settings: settings, logger: logger)
        let second = try await buildApplication(settings: settings, logger: logger)
        do {
            try await logOutOnOneReplica(first, checkOn: second)
        } catch {
            await PostgresServer.dropDatabase(in: fresh)
            throw error
        }
        await PostgresServer.dropDatabase(in: fresh)
    }

    private func logOutOnOneReplica(
        _ first: some ApplicationProtocol, checkOn second: some ApplicationProtocol
    ) async throws {
        try await first.test(.live) { one in
            try await second.test(.live) { two in
                let user = try await one.signUp()
                // Wait until the second replica is listening, so that it trusts (and fills) its cache.
                try await Task.sleep(for: .milliseconds(300))
                #expect(try await two.send(.get, "/api/tasks", headers: user.auth).status == .ok)
                #expect(try await one.send(.post, "/api/auth/logout", headers: user.auth).status == .noContent)
                var status = HTTPResponse.Status.ok
                for _ in 0..<100 {
                    status = try await two.send(.get, "/api/tasks", headers: user.auth).status
                    if status == .unauthorized { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(status == .unauthorized)
            }
        }
    }
}

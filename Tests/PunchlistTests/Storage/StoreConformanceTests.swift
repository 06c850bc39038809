import Foundation
import Testing

@testable import Punchlist

/// One suite, both databases: what every ``Store`` must do.
@Suite struct StoreConformanceTests {
    @Test(arguments: TestDatabase.all)
    func migratingTwiceIsHarmless(database: TestDatabase) async throws {
        try await withStore(database) { store in
            try await store.migrate()
            try await store.ping()
            #expect(store.kind == database.rawValue)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aServerSettingIsStoredOnceAndKept(database: TestDatabase) async throws {
        try await withStore(database) { store in
            let first = try await store.storeSettingIfAbsent(name: "auth_secret", value: "one")
            let second = try await store.storeSettingIfAbsent(name: "auth_secret", value: "two")
            #expect(first == "one")
            #expect(second == "one")
        }
    }

    @Test(arguments: TestDatabase.all)
    func usersAreFoundByIdEmailAndExternalIdentityAndEmailsAreUnique(database: TestDatabase) async throws {
        try await withStore(database) { store in
            let user = try await makeUser(in: store, email: "unique@example.com")
            #expect(try await store.user(id: user.id) == user)
            #expect(try await store.user(email: "unique@example.com") == user)
            await #expect(throws: StoreError.emailTaken) { _ = try await makeUser(in: store, email: "unique@example.com") }

            let now = Date().roundedToMilliseconds
            let identity = User.ExternalIdentity(issuer: "https://issuer", subject: "abc")
            let external = User(id: .v7(), email: "", name: "", passwordHash: nil, externalIdentity: identity, createdAt: now, updatedAt: now)
            let another = User(id: .v7(), email: "", name: "", passwordHash: nil,
                               externalIdentity: .init(issuer: "https://issuer", subject: "def"), createdAt: now, updatedAt: now)
            try await store.insert(user: external)
            try await store.insert(user: another)
            #expect(try await store.user(external: identity)?.id == external.id)
            #expect(try await store.user(external: identity)?.email == "")
        }
    }

    @Test(arguments: TestDatabase.all)
    func passwordChangesRevokeOtherSessionsAndDeletionCascades(database: TestDatabase) async throws {
        try await withStore(database) { store in
            var user = try await makeUser(in: store)
            let now = Date().roundedToMilliseconds
            let kept = Session(id: .v7(), userID: user.id, createdAt: now, expiresAt: now + 3600, revokedAt: nil)
            let other = Session(id: .v7(), userID: user.id, createdAt: now, expiresAt: now + 3600, revokedAt: nil)
            try await store.insert(session: kept)
            try await store.insert(session: other)
            user.passwordHash = "new hash"
            try await store.update(user: user, revokingSessionsExcept: kept.id)
            #expect(try await store.session(id: kept.id)?.revokedAt == nil)
            #expect(try await store.session(id: other.id)?.revokedAt != nil)
            #expect(try await store.user(id: user.id)?.passwordHash == "new hash")

            _ = try await store.insert(tasks: [makeTask("mine", for: user)], userID: user.id)
            #expect(try await store.deleteUser(id: user.id))
            #expect(try await store.user(id: user.id) == nil)
            #expect(try await store.session(id: kept.id) == nil)
            #expect(try await store.events(userID: user.id, after: 0, limit: 10).isEmpty)
            #expect(try await store.deleteUser(id: user.id) == false)
        }
    }

    @Test(arguments: TestDatabase.all)
    func everyChangeWritesAnEventWithStrictlyIncreasingIds(database: TestDatabase) async throws {
        try await withStore(database) { store in
            let user = try await makeUser(in: store)
            let stranger = try await makeUser(in: store)
            let batch = (0..<1500).map { makeTask("bulk \($0)", for: user) }
            let created = try await store.insert(tasks: batch, userID: user.id)
            #expect(created.map(\.id) == Array(1...1500))
            _ = try await store.insert(tasks: [makeTask("theirs", for: stranger)], userID: stranger.id)
            let target = batch[7]
            let updated = try #require(try await store.modifyTask(id: target.id, userID: user.id) { task in
                var changed = task
                changed.title = "renamed"
                changed.version += 1
                return .update(changed, follower: makeTask("follower", for: user))
            })
            #expect(updated.1.map(\.id) == [1501, 1502])
            #expect(updated.1.map(\.kind) == [.updated, .created])
            let deleted = try #require(try await store.modifyTask(id: target.id, userID: user.id) { _ in .delete })
            #expect(deleted.1.map(\.id) == [1503])
            #expect(deleted.1.first?.taskJSON == nil)

            let events = try await store.events(userID: user.id, after: 1499, limit: 10)
            #expect(events.map(\.id) == [1500, 1501, 1502, 1503])
            #expect(events.map(\.kind) == [.created, .updated, .created, .deleted])
            let payload = try #require(events[1].taskJSON)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            #expect(json["title"] as? String == "renamed")
            #expect(try await store.events(userID: stranger.id, after: 0, limit: 10).map(\.id) == [1])
        }
    }

    @Test(arguments: TestDatabase.all)
    func aFailedChangeLeavesNoTraceAndOthersCannotTouchTheTask(database: TestDatabase) async throws {
        struct Refused: Error {}
        try await withStore(database) { store in
            let user = try await makeUser(in: store)
            let stranger = try await makeUser(in: store)
            let task = makeTask("guarded", for: user)
            _ = try await store.insert(tasks: [task], userID: user.id)
            await #expect(throws: Refused.self) {
                _ = try await store.modifyTask(id: task.id, userID: user.id) { _ in throw Refused() }
            }
            #expect(try await store.modifyTask(id: task.id, userID: stranger.id) { _ in .delete } == nil)
            #expect(try await store.task(id: task.id, userID: stranger.id) == nil)
            #expect(try await store.task(id: task.id, userID: user.id) == task)
            #expect(try await store.events(userID: user.id, after: 0, limit: 10).count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func tasksRoundTripEveryField(database: TestDatabase) async throws {
        try await withStore(database) { store in
            let user = try await makeUser(in: store)
            var task = makeTask("Ünïcode ✓ \"quoted\"", for: user, due: Timestamp.parse("2031-01-31T23:59:59.999Z"), tags: ["a", "b c"])
            task.description = "line one\nline two\t"
            task.priority = .high
            task.recurrence = .monthly
            task.anchorDay = 31
            task.completed = true
            task.completedAt = Date().roundedToMilliseconds
            _ = try await store.insert(tasks: [task], userID: user.id)
            #expect(try await store.task(id: task.id, userID: user.id) == task)
            var query = TaskQuery()
            query.tags = ["b c"]
            #expect(try await store.tasks(userID: user.id, matching: query).items == [task])
            // Instants before 1970 and 2000 (PostgreSQL counts from 2000), to the millisecond, and no tags.
            var old = makeTask("old", for: user, due: Timestamp.parse("1969-12-31T23:59:59.999Z"))
            old.createdAt = Timestamp.parse("1999-12-31T23:59:59.001Z")!
            _ = try await store.insert(tasks: [old], userID: user.id)
            #expect(try await store.task(id: old.id, userID: user.id) == old)
        }
    }

    /// Writers racing on one task: none loses another's change, versions and event numbers follow
    /// one another without gaps, and of several writers expecting the same version exactly one wins.
    @Test(arguments: TestDatabase.all)
    func concurrentChangesToOneTaskAreAllKeptInOrder(database: TestDatabase) async throws {
        struct VersionMoved: Error {}
        try await withStore(database) { store in
            let user = try await makeUser(in: store)
            let task = makeTask("shared", for: user)
            _ = try await store.insert(tasks: [task], userID: user.id)
            let writers = 12
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        _ = try await store.modifyTask(id: task.id, userID: user.id) { current in
                            var next = current
                            next.description += "x"
                            next.version += 1
                            return .update(next, follower: nil)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let after = try #require(try await store.task(id: task.id, userID: user.id))
            #expect(after.description == String(repeating: "x", count: writers))
            #expect(after.version == 1 + writers)
            let events = try await store.events(userID: user.id, after: 0, limit: 100)
            #expect(events.map(\.id) == Array(1...Int64(1 + writers)))
            #expect(events.dropFirst().map(\.kind) == Array(repeating: .updated, count: writers))

            let expected = after.version
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        do {
                            _ = try await store.modifyTask(id: task.id, userID: user.id) { current in
                                guard current.version == expected else { throw VersionMoved() }
                                var next = current
                                next.title = "winner \(index)"
                                next.version += 1
                                return .update(next, follower: nil)
                            }
                            return true
                        } catch is VersionMoved {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
            #expect(try await store.task(id: task.id, userID: user.id)?.version == expected + 1)
            #expect(try await store.events(userID: user.id, after: 0, limit: 100).count == 2 + writers)
        }
    }

    /// More reads and writes at once than there are threads and connections. On SQLite the hot
    /// reads run on the calling thread (`InlineReaders`) and the others hop through GRDB's pool:
    /// neither kind may end up waiting for the other, and every read sees what committed before it
    /// started. (With every SQLite read synchronous through the pool, this hangs: a deadlock.)
    @Test(.timeLimit(.minutes(1)), arguments: TestDatabase.all)
    func manyReadsAndWritesAtOnceAllFinishAndSeeCommittedTasks(database: TestDatabase) async throws {
        try await withStore(database) { store in
            let user = try await makeUser(in: store)
            let first = makeTask("first", for: user)
            _ = try await store.insert(tasks: [first], userID: user.id)
            let now = Date().roundedToMilliseconds
            let session = Session(id: .v7(), userID: user.id, createdAt: now, expiresAt: now + 3600, revokedAt: nil)
            try await store.insert(session: session)
            let oldestFirst = {
                var query = TaskQuery()
                query.descending = false
                return query
            }()
            let writes = 60
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<(5 * writes) {
                    group.addTask {
                        switch index % 5 {
                        case 0: #expect(try await store.tasks(userID: user.id, matching: oldestFirst).items.first?.id == first.id)
                        case 1: #expect(try await store.task(id: first.id, userID: user.id) != nil)
                        case 2: #expect(try await store.session(id: session.id) == session)
                        case 3: #expect(try await store.events(userID: user.id, after: 0, limit: 5).first?.taskID == first.id)
                        default: _ = try await store.insert(tasks: [makeTask("task \(index)", for: user)], userID: user.id)
                        }
                    }
                }
                try await group.waitForAll()
            }
            var query = TaskQuery()
            query.limit = 200
            #expect(try await store.tasks(userID: user.id, matching: query).items.count == 1 + writes)
        }
    }
}

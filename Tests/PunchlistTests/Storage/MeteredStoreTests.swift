import Foundation
import Testing

@testable import Punchlist

/// While the database is in doubt (``DatabaseReachability``), every operation runs under a deadline
/// in a task of its own; the answers must be the same as when it is not.
@Suite struct MeteredStoreTests {
    @Test(arguments: TestDatabase.all)
    func operationsAnswerTheSameWhileTheDatabaseIsInDoubt(database: TestDatabase) async throws {
        try await withStore(database) { base in
            let reachability = DatabaseReachability()
            #expect(reachability.inDoubt)
            let store = MeteredStore(base, poolSize: 1, reachability: reachability)
            let user = try await makeUser(in: store)
            let task = makeTask("in doubt", for: user)
            _ = try await store.insert(tasks: [task], userID: user.id)
            // A change takes a closure that must not outlive the call, also when it runs in that task.
            let changed = try #require(try await store.modifyTask(id: task.id, userID: user.id) { current in
                var renamed = current
                renamed.title = "renamed in doubt"
                renamed.version += 1
                return .update(renamed, follower: nil)
            })
            #expect(changed.1.map(\.kind) == [.updated])
            #expect(try await store.task(id: task.id, userID: user.id)?.title == "renamed in doubt")
            reachability.listenerConnected(true)
            #expect(!reachability.inDoubt)
            #expect(try await store.tasks(userID: user.id, matching: TaskQuery()).items.map(\.title) == ["renamed in doubt"])
        }
    }
}

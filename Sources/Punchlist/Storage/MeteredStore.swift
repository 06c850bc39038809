import Foundation
import Metrics
import Synchronization

/// Wraps a store to report database use in `/metrics`: operations in flight (against
/// `punchlist_database_pool_size`, the most that can run at once) and how long each kind takes.
/// Every operation passes here, so this is also where one is given up on while the database is
/// in doubt (``DatabaseReachability``).
struct MeteredStore: Store {
    let base: any Store
    private let inFlight: InFlight
    /// PostgreSQL's reachability; nil for SQLite, which is a file and always answers.
    let reachability: DatabaseReachability?
    /// How long an operation may take while the database is in doubt: one connection attempt.
    static let inDoubtLimit = Duration.seconds(5)

    /// Counts operations in flight for the gauge.
    private final class InFlight: Sendable {
        let count = Mutex(0)
        let gauge = Gauge(label: "punchlist_database_operations_in_flight")
        /// One timer per operation.
        let timers = MetricsByKey<String, Timer> { Timer(label: "punchlist_database_operation_duration", dimensions: [("operation", $0)]) }

        func change(by delta: Int) {
            gauge.record(count.withLock { count in
                count += delta
                return count
            })
        }
    }

    init(_ base: any Store, poolSize: Int, reachability: DatabaseReachability? = nil) {
        self.base = base
        self.reachability = reachability
        self.inFlight = InFlight()
        Gauge(label: "punchlist_database_pool_size", dimensions: [("database", base.kind)]).record(poolSize)
    }

    private func measure<Result: Sendable>(_ operation: String, _ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
        inFlight.change(by: 1)
        let started = ContinuousClock.now
        defer {
            inFlight.change(by: -1)
            let elapsed = ContinuousClock.now - started
            inFlight.timers[operation].recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        guard let reachability, reachability.inDoubt else { return try await work() }
        do {
            return try await withDeadline(Self.inDoubtLimit, work)
        } catch is DeadlineExceeded {
            throw StoreError.unavailable
        }
    }

    var kind: String { base.kind }
    func migrate() async throws { try await base.migrate() }
    func ping() async throws { try await measure("ping") { try await base.ping() } }
    func storeSettingIfAbsent(name: String, value: String) async throws -> String {
        try await base.storeSettingIfAbsent(name: name, value: value)
    }
    func insert(user: User) async throws { try await measure("insert_user") { try await base.insert(user: user) } }
    func user(id: UUID) async throws -> User? { try await measure("user") { try await base.user(id: id) } }
    func user(email: String) async throws -> User? { try await measure("user") { try await base.user(email: email) } }
    func user(external: User.ExternalIdentity) async throws -> User? { try await measure("user") { try await base.user(external: external) } }
    func update(user: User, revokingSessionsExcept keep: UUID?) async throws {
        try await measure("update_user") { try await base.update(user: user, revokingSessionsExcept: keep) }
    }
    func deleteUser(id: UUID) async throws -> Bool { try await measure("delete_user") { try await base.deleteUser(id: id) } }
    func insert(session: Session) async throws { try await measure("insert_session") { try await base.insert(session: session) } }
    func session(id: UUID) async throws -> Session? { try await measure("session") { try await base.session(id: id) } }
    func revokeSession(id: UUID, at: Date) async throws { try await measure("revoke_session") { try await base.revokeSession(id: id, at: at) } }
    func insert(tasks: [TaskItem], userID: UUID) async throws -> [TaskEvent] {
        try await measure("insert_tasks") { try await base.insert(tasks: tasks, userID: userID) }
    }
    func insert(task: TaskItem, userID: UUID, key: IdempotencyKey, now: Date) async throws -> KeyedCreation {
        try await measure("insert_keyed_task") { try await base.insert(task: task, userID: userID, key: key, now: now) }
    }
    func pruneIdempotencyKeys(olderThan date: Date) async throws -> Int {
        try await measure("prune_idempotency_keys") { try await base.pruneIdempotencyKeys(olderThan: date) }
    }
    func task(id: UUID, userID: UUID) async throws -> TaskItem? { try await measure("task") { try await base.task(id: id, userID: userID) } }
    func modifyTask(id: UUID, userID: UUID, _ change: @Sendable (TaskItem) throws -> TaskChange) async throws -> (TaskChange, [TaskEvent])? {
        try await withoutActuallyEscaping(change) { change in
            try await measure("modify_task") { try await base.modifyTask(id: id, userID: userID, change) }
        }
    }
    func tasks(userID: UUID, matching query: TaskQuery) async throws -> TaskPage {
        try await measure("list_tasks") { try await base.tasks(userID: userID, matching: query) }
    }
    func events(userID: UUID, after id: Int64, limit: Int) async throws -> [TaskEvent] {
        try await measure("events") { try await base.events(userID: userID, after: id, limit: limit) }
    }
    func eventBounds(userID: UUID) async throws -> (oldest: Int64?, latest: Int64) {
        try await measure("events") { try await base.eventBounds(userID: userID) }
    }
    func pruneEvents(olderThan date: Date, keepingLatest keep: Int) async throws -> Int {
        try await measure("prune_events") { try await base.pruneEvents(olderThan: date, keepingLatest: keep) }
    }
    func insert(conversation: Conversation) async throws {
        try await measure("insert_conversation") { try await base.insert(conversation: conversation) }
    }
    func conversations(userID: UUID, limit: Int) async throws -> [Conversation] {
        try await measure("conversations") { try await base.conversations(userID: userID, limit: limit) }
    }
    func conversation(id: UUID, userID: UUID) async throws -> Conversation? {
        try await measure("conversation") { try await base.conversation(id: id, userID: userID) }
    }
    func messages(conversationID: UUID, userID: UUID, latest: Int?) async throws -> [ConversationMessage] {
        try await measure("messages") { try await base.messages(conversationID: conversationID, userID: userID, latest: latest) }
    }
    func append(messages: [ConversationMessage], conversationID: UUID, userID: UUID, at: Date) async throws -> Bool {
        try await measure("append_messages") { try await base.append(messages: messages, conversationID: conversationID, userID: userID, at: at) }
    }
    func deleteConversation(id: UUID, userID: UUID) async throws -> Bool {
        try await measure("delete_conversation") { try await base.deleteConversation(id: id, userID: userID) }
    }
    func embeddings(userID: UUID, model: String) async throws -> [TaskEmbedding] {
        try await measure("embeddings") { try await base.embeddings(userID: userID, model: model) }
    }
    func tasksNeedingEmbeddings(userID: UUID, model: String, limit: Int) async throws -> [TaskItem] {
        try await measure("tasks_needing_embeddings") { try await base.tasksNeedingEmbeddings(userID: userID, model: model, limit: limit) }
    }
    func save(embeddings: [TaskEmbedding], userID: UUID, model: String) async throws {
        try await measure("save_embeddings") { try await base.save(embeddings: embeddings, userID: userID, model: model) }
    }
}

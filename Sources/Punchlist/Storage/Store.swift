import Foundation
import Logging

/// Everything Punchlist keeps, behind one interface with an SQLite and a PostgreSQL
/// implementation that pass the same conformance suite.
///
/// Every change to a task writes its ``TaskEvent`` into the outbox in the same transaction.
public protocol Store: Sendable {
    /// `sqlite` or `postgres`, as `/ready` reports it.
    var kind: String { get }

    /// Applies pending migrations; safe to call from several processes at once.
    func migrate() async throws
    /// Answers when the database does; throws otherwise.
    func ping() async throws

    /// A server-wide value stored once: returns the stored value, or stores and returns `value`.
    func storeSettingIfAbsent(name: String, value: String) async throws -> String

    // MARK: Accounts

    /// Inserts a new user; throws ``StoreError/emailTaken`` when the email exists.
    func insert(user: User) async throws
    func user(id: UUID) async throws -> User?
    func user(email: String) async throws -> User?
    func user(external: User.ExternalIdentity) async throws -> User?
    /// Saves name, email and password hash; when `revokingSessionsExcept` is given, every other
    /// session of the user is revoked in the same transaction, which also tells every replica
    /// (PostgreSQL `NOTIFY`, delivered on commit), so that none keeps them in its session cache.
    func update(user: User, revokingSessionsExcept keep: UUID?) async throws
    /// Removes the user and everything they own, in one transaction that also tells every replica
    /// their sessions ended. False when there was no such user.
    func deleteUser(id: UUID) async throws -> Bool

    func insert(session: Session) async throws
    func session(id: UUID) async throws -> Session?
    /// Ends the session and, in the same transaction, tells every replica.
    func revokeSession(id: UUID, at: Date) async throws

    // MARK: Tasks

    /// Inserts tasks for one user, with one `task.created` event each, in one transaction.
    func insert(tasks: [TaskItem], userID: UUID) async throws -> [TaskEvent]
    /// Inserts `task` with its `task.created` event and remembers `key` with the task's JSON, in one
    /// transaction, unless the user sent `key` in the ``IdempotencyKey/rememberedFor`` before `now`:
    /// then it writes nothing and returns what the earlier create remembered. A second create with
    /// the same key waits for the first's transaction.
    func insert(task: TaskItem, userID: UUID, key: IdempotencyKey, now: Date) async throws -> KeyedCreation
    /// Forgets the idempotency keys sent before `date`; returns how many went.
    func pruneIdempotencyKeys(olderThan date: Date) async throws -> Int
    func task(id: UUID, userID: UUID) async throws -> TaskItem?
    /// Reads the task under a write lock, lets `change` decide what becomes of it, and writes
    /// the outcome with its events, all in one transaction. Returns the change made and its events;
    /// nil when the user has no such task.
    func modifyTask(id: UUID, userID: UUID, _ change: @Sendable (TaskItem) throws -> TaskChange) async throws -> (TaskChange, [TaskEvent])?
    /// One page of a user's tasks in the query's order, and where the next page starts.
    func tasks(userID: UUID, matching query: TaskQuery) async throws -> TaskPage

    // MARK: Events

    /// The user's events after `id`, oldest first.
    func events(userID: UUID, after id: Int64, limit: Int) async throws -> [TaskEvent]
    /// The oldest event the outbox still keeps for the user (nil when none), and the latest id ever given.
    func eventBounds(userID: UUID) async throws -> (oldest: Int64?, latest: Int64)
    /// Deletes events older than `date`, except each user's latest `keep`; returns how many went.
    func pruneEvents(olderThan date: Date, keepingLatest keep: Int) async throws -> Int

    // MARK: Assistant

    func insert(conversation: Conversation) async throws
    /// The user's conversations, most recently active first.
    func conversations(userID: UUID, limit: Int) async throws -> [Conversation]
    func conversation(id: UUID, userID: UUID) async throws -> Conversation?
    /// The conversation's messages, oldest first; with `latest`, only that many of the newest.
    func messages(conversationID: UUID, userID: UUID, latest: Int?) async throws -> [ConversationMessage]
    /// Appends messages and marks the conversation active at `at`, in one transaction; false when
    /// the user has no such conversation (deleted meanwhile).
    func append(messages: [ConversationMessage], conversationID: UUID, userID: UUID, at: Date) async throws -> Bool
    /// Removes the conversation and its messages; false when the user has no such conversation.
    func deleteConversation(id: UUID, userID: UUID) async throws -> Bool

    /// The user's task vectors computed by `model`.
    func embeddings(userID: UUID, model: String) async throws -> [TaskEmbedding]
    /// The user's tasks whose vector for `model` is missing or older than the task, newest first.
    func tasksNeedingEmbeddings(userID: UUID, model: String, limit: Int) async throws -> [TaskItem]
    /// Saves vectors (replacing older ones); a task deleted meanwhile is skipped.
    func save(embeddings: [TaskEmbedding], userID: UUID, model: String) async throws
}

/// What a modification does to the task it read.
public enum TaskChange: Sendable {
    /// Leave the task as it is: no write, no event.
    case unchanged(TaskItem)
    /// Save this version of the task, and create `follower` (a recurring task's next occurrence).
    case update(TaskItem, follower: TaskItem?)
    /// Remove the task.
    case delete
}

/// Failures a store reports in the product's terms.
public enum StoreError: Error, Equatable {
    case emailTaken
    case unavailable
}

/// Closes what a store holds, once the server has stopped using it.
public protocol StoreLifecycle: Sendable {
    func shutdown() async throws
}

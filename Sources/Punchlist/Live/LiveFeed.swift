import Foundation
import ServiceLifecycle

/// One connection's stream of events, the same for WebSocket and Server-Sent Events: replay from
/// `since`, then live, in id order, without a gap or a repeat at the seam. Any hole (a replica's
/// event known only by its id, a missed notification) is filled from the outbox, so a connection
/// never skips an event whatever reached it first.
struct LiveFeed: Sendable {
    let store: any Store
    let hub: LiveHub
    /// How often a quiet connection gets a keep-alive (a ping, or an SSE comment).
    var keepAlive: Duration = .seconds(20)

    /// What to send to the client.
    enum Message: Sendable {
        case event(TaskEvent)
        /// `since` is older than the outbox keeps (or unknown): refetch everything.
        case reset
        case keepAlive
    }

    /// Where a connection's stream begins. It is read before the client hears that it is connected
    /// (the `101`, or the event stream's headers), so a client that lists its tasks as soon as the
    /// connection opens misses nothing committed after that list: it arrives on the stream.
    struct Start: Sendable, Equatable {
        /// The stream continues after this event id.
        var after: Int64
        /// `since` cannot be resumed (older than the outbox keeps, or unknown): the stream opens with a reset.
        var reset = false
    }

    /// Where a connection asking for `since` starts.
    func start(userID: UUID, since: Int64?) async throws -> Start {
        let bounds = try await store.eventBounds(userID: userID)
        guard let since else { return Start(after: bounds.latest) }
        // Kept: the events after `oldest - 1`. Anything before that, or a future id, cannot be resumed.
        let keptFrom = (bounds.oldest ?? bounds.latest + 1) - 1
        if since < keptFrom || since > bounds.latest { return Start(after: bounds.latest, reset: true) }
        return Start(after: since)
    }

    /// Runs until the subscription ends (or the task is cancelled); returns why it ended.
    /// `stillSignedIn` asks again whether the caller's token is good, once the subscription would
    /// hear of a sign-out: one that came between the admission and now reached no subscription.
    func run(
        userID: UUID, sessionID: UUID?, from start: Start, stillSignedIn: () async -> Bool,
        forceClose: @escaping @Sendable () -> Void, send: (Message) async throws -> Void
    ) async throws -> Subscription.End? {
        // Subscribe before reading the outbox: whatever commits meanwhile is queued, and the ids sort out overlaps.
        let subscription = hub.subscribe(userID: userID, sessionID: sessionID, forceClose: forceClose)
        defer { hub.unsubscribe(subscription) }
        guard await stillSignedIn() else { return .sessionEnded }
        // A server stopping ends every stream, so its HTTP server is not left waiting on them.
        return try await withGracefulShutdownHandler {
            try await stream(subscription, userID: userID, from: start, send: send)
        } onGracefulShutdown: {
            subscription.end(.goingAway)
        }
    }

    private func stream(
        _ subscription: Subscription, userID: UUID, from start: Start, send: (Message) async throws -> Void
    ) async throws -> Subscription.End? {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [keepAlive] in
                while true {
                    try await Task.sleep(for: keepAlive)
                    subscription.send(.tick)
                }
            }
            defer { group.cancelAll() }
            if start.reset { try await send(.reset) }
            // What committed between reading the start and subscribing comes from the outbox.
            var last = try await catchUp(userID: userID, after: start.after, send: send)
            for await signal in subscription.signals {
                switch signal {
                case .tick:
                    try await send(.keepAlive)
                case .hint(let latest):
                    if latest > last { last = try await catchUp(userID: userID, after: last, send: send) }
                case .events(let events):
                    for event in events where event.id > last {
                        if event.id == last + 1 {
                            try await send(.event(event))
                            last = event.id
                        } else {
                            last = try await catchUp(userID: userID, after: last, send: send)
                        }
                    }
                }
            }
            return subscription.endReason
        }
    }

    /// Sends every outbox event after `last`, a page at a time; returns the last id sent.
    private func catchUp(userID: UUID, after last: Int64, send: (Message) async throws -> Void) async throws -> Int64 {
        var last = last
        while true {
            let page = try await store.events(userID: userID, after: last, limit: 500)
            for event in page {
                try await send(.event(event))
                last = event.id
            }
            if page.count < 500 { return last }
        }
    }
}

extension TaskEvent {
    /// The event as the live stream sends it.
    var liveJSON: [UInt8] {
        var json = JSONWriter(capacity: 512)
        json.beginObject()
        json.key("id"); json.integer(id)
        json.key("type"); json.string(kind.rawValue)
        if let taskJSON {
            json.key("task"); json.json(Array(taskJSON.utf8))
        }
        json.key("task_id"); json.string(taskID.lowercased)
        json.key("at"); json.date(at)
        json.endObject()
        return json.bytes
    }
}

import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import Punchlist

@Suite struct LiveStreamTests {
    /// Reads Server-Sent Events from `/api/events` until `count` events have come, over a real connection;
    /// fails if they have not come within `timeout`.
    /// `whenOpen` runs once the response's headers have come: where EventSource fires `open`.
    static func readEvents(
        port: Int, token: String, lastEventID: String? = nil, query: String = "", count: Int, timeout: Duration = .seconds(10),
        whenOpen: () async throws -> Void = {}
    ) async throws -> [String] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/events\(query)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok)
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        try await whenOpen()
        // The stream stays open however many events come: an event that never comes must fail the
        // test after `timeout`, not hang the run.
        let received = EventsSoFar()
        do {
            return try await withDeadline(timeout) {
                var text = ""
                for try await chunk in response.body {
                    text += String(buffer: chunk)
                    let events = text.components(separatedBy: "\n\n").filter { $0.contains("data: ") }
                    received.events.withLock { $0 = events }
                    if events.count >= count { return events }
                }
                return received.events.withLock { $0 }
            }
        } catch is DeadlineExceeded {
            throw TestFailure("waited \(timeout) for \(count) events, got \(received.events.withLock { $0 })")
        }
    }

    @Test(arguments: TestDatabase.all)
    func serverSentEventsCarryIdsAndResumeFromLastEventID(database: TestDatabase) async throws {
        try await withApp(database, framework: .live) { client in
            let port = try #require(client.port)
            let user = try await client.signUp()
            // since=0: the stream starts from the outbox, so events written before the subscription is
            // live (a loaded machine can take longer than any fixed pause) still arrive, in order.
            let reader = Task { try await Self.readEvents(port: port, token: user.token, query: "?since=0", count: 3) }
            try await Task.sleep(for: .milliseconds(200))
            for title in ["a", "b", "c", "d"] {
                _ = try await client.send(.post, "/api/tasks", json: ["title": title], headers: user.auth)
            }
            let events = try await reader.value
            #expect(events[0].contains("id: 1\nevent: task.created\ndata: {"))
            #expect(events[2].contains("id: 3\n"))
            let resumed = try await Self.readEvents(port: port, token: user.token, lastEventID: "2", count: 2)
            #expect(resumed.map { $0.contains("id: 3\n") } == [true, false])
            #expect(resumed[1].contains("id: 4\n"))
            let fromQuery = try await Self.readEvents(port: port, token: user.token, query: "?since=3", count: 1)
            #expect(fromQuery.first?.contains("id: 4\n") == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aChangeRightAfterTheStreamOpensArrivesOnIt(database: TestDatabase) async throws {
        // As for the WebSocket: a client that lists its tasks on `open` gets every later change on the stream.
        try await withApp(database, framework: .live) { client in
            let port = try #require(client.port)
            let user = try await client.signUp()
            for round in 1...20 {
                let events = try await Self.readEvents(port: port, token: user.token, count: 1) {
                    _ = try await client.send(.post, "/api/tasks", json: ["title": "round \(round)"], headers: user.auth)
                }
                #expect(events.first?.contains("\"title\":\"round \(round)\"") == true, "\(events)")
            }
        }
    }

    @Test func serverSentEventsNeedAValidToken() async throws {
        try await withApp(.sqlite) { client in
            #expect(try await client.send(.get, "/api/events").status == .unauthorized)
            #expect(try await client.send(.get, "/api/events?access_token=nope").status == .unauthorized)
            let user = try await client.signUp()
            let bad = try await client.send(.get, "/api/events", headers: [.authorization: "Bearer \(user.token)", .lastEventID: "abc"])
            #expect(bad.status == .badRequest)
        }
    }

    @Test func aClientThatStopsReadingIsCutOffAndItsQueueFreed() async throws {
        try await withApp(.sqlite, framework: .live) { client in
            let port = try #require(client.port)
            let user = try await client.signUp()
            let stalled = try await LiveSocket.open(port: port, query: "access_token=\(user.token)", stalled: true)
            let healthy = try await LiveSocket.open(port: port, query: "access_token=\(user.token)")
            try await Task.sleep(for: .milliseconds(200))
            // Fill the stalled socket's buffers with big imports, then queue more signals than it may hold.
            let line = "{\"title\":\"x\",\"description\":\"" + String(repeating: "d", count: 2000) + "\"}\n"
            var headers = user.auth
            headers[.contentType] = "application/x-ndjson"
            for _ in 0..<8 {
                _ = try await client.execute(
                    uri: "/api/tasks/import", method: .post, headers: headers, body: ByteBuffer(string: String(repeating: line, count: 500)))
            }
            for index in 0..<(Subscription.capacity + 40) {
                _ = try await client.send(.post, "/api/tasks", json: ["title": "t\(index)"], headers: user.auth)
            }
            // The server gives a stuck connection a few seconds, then cuts it; only then does the client look.
            try await Task.sleep(for: .seconds(7))
            try await stalled.resumeReading()
            try await stalled.waitUntilClosed(timeout: .seconds(10))
            try await Task.sleep(for: .milliseconds(500))
            #expect(stalled.isDisconnected)
            // The reader that kept up got everything, and is still connected.
            try await healthy.waitFor(4000 + Subscription.capacity + 40, timeout: .seconds(20))
            #expect(!healthy.isDisconnected)
            healthy.disconnect()
        }
    }
}

/// The events a reader has parsed so far, for the message when the rest do not come.
private final class EventsSoFar: Sendable {
    let events = Mutex<[String]>([])
}

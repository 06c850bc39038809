import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import Punchlist

@Suite struct LiveWebSocketTests {
    @Test(arguments: TestDatabase.all)
    func createUpdateDeleteArriveInOrderForTheOwnerOnly(database: TestDatabase) async throws {
        try await withApp(database, framework: .live) { client in
            let port = try #require(client.port)
            let owner = try await client.signUp()
            let stranger = try await client.signUp()
            try await LiveSocket.connect(port: port, query: "access_token=\(stranger.token)") { strangers in
                try await LiveSocket.connect(port: port, query: "", headers: [.authorization: "Bearer \(owner.token)"]) { socket in
                    try await socket.waitUntilOpen()
                    let id = try #require(
                        try await client.send(.post, "/api/tasks", json: ["title": "live one"], headers: owner.auth).json["id"] as? String)
                    _ = try await client.send(.patch, "/api/tasks/\(id)", json: ["completed": true], headers: owner.auth)
                    _ = try await client.send(.delete, "/api/tasks/\(id)", headers: owner.auth)
                    let messages = try await socket.waitFor(3)
                    #expect(messages.map { $0["type"] as? String } == ["task.created", "task.updated", "task.deleted"])
                    #expect(socket.eventIDs == [1, 2, 3])
                    #expect(messages.allSatisfy { $0["task_id"] as? String == id })
                    #expect((messages[0]["task"] as? [String: Any])?["title"] as? String == "live one")
                    #expect((messages[1]["task"] as? [String: Any])?["completed"] as? Bool == true)
                    #expect(messages[2]["task"] == nil)
                    #expect((messages[0]["at"] as? String).flatMap(Timestamp.parse) != nil)
                }
                try await Task.sleep(for: .milliseconds(200))
                #expect(strangers.messages.isEmpty)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func aChangeRightAfterTheSocketOpensArrivesOnIt(database: TestDatabase) async throws {
        // A web app connects, then lists its tasks in `onopen`: whatever changes after that list must
        // come over the socket, however soon after the handshake it commits. No pause here, on purpose.
        try await withApp(database, framework: .live) { client in
            let port = try #require(client.port)
            let user = try await client.signUp()
            for round in 1...20 {
                try await LiveSocket.connect(port: port, query: "access_token=\(user.token)") { socket in
                    try await socket.waitUntilOpen()
                    _ = try await client.send(.post, "/api/tasks", json: ["title": "round \(round)"], headers: user.auth)
                    let messages = try await socket.waitFor(1, timeout: .seconds(3))
                    #expect(((messages.first?["task"] as? [String: Any])?["title"] as? String) == "round \(round)")
                }
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func resumingWithSinceMissesNothingAndRepeatsNothingWhileWritesContinue(database: TestDatabase) async throws {
        try await withApp(database, framework: .live) { client in
            let port = try #require(client.port)
            let user = try await client.signUp()
            let writer = Task {
                for index in 0..<60 {
                    _ = try await client.send(.post, "/api/tasks", json: ["title": "write \(index)"], headers: user.auth)
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            var seen: [Int] = []
            var since = 0
            // Reconnect several times mid-stream, each time from the last id received.
            for _ in 0..<4 {
                let socket = try await LiveSocket.open(port: port, query: "access_token=\(user.token)&since=\(since)")
                try await Task.sleep(for: .milliseconds(60))
                socket.disconnect()
                seen += socket.eventIDs
                since = seen.last ?? since
            }
            try await writer.value
            let last = try await LiveSocket.open(port: port, query: "access_token=\(user.token)&since=\(since)")
            try await last.waitFor(60 - seen.count, timeout: .seconds(10))
            last.disconnect()
            seen += last.eventIDs
            #expect(seen == Array(1...60))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aSinceTheServerCannotResumeFromGetsAReset(database: TestDatabase) async throws {
        try await withApp(database, framework: .live) { client in
            let port = try #require(client.port)
            let user = try await client.signUp()
            _ = try await client.send(.post, "/api/tasks", json: ["title": "one"], headers: user.auth)
            try await LiveSocket.connect(port: port, query: "access_token=\(user.token)&since=999") { socket in
                let first = try await socket.waitFor(1).first
                #expect(first?["type"] as? String == "reset")
                _ = try await client.send(.post, "/api/tasks", json: ["title": "two"], headers: user.auth)
                let messages = try await socket.waitFor(2)
                #expect(messages[1]["id"] as? Int == 2)
            }
        }
    }

    @Test func aBadTokenClosesWith4401AndAReason() async throws {
        try await withApp(.sqlite, framework: .live) { client in
            let port = try #require(client.port)
            for query in ["access_token=not-a-token", ""] {
                let close = try await LiveSocket.connect(port: port, query: query) { socket in try await socket.waitUntilClosed() }
                #expect(close?.code == 4401, "\(query)")
                #expect(close?.reason.isEmpty == false)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func logoutEndsThatSessionsLiveConnections(database: TestDatabase) async throws {
        try await withApp(database, framework: .live) { client in
            let port = try #require(client.port)
            let user = try await client.signUp()
            let close = try await LiveSocket.connect(port: port, query: "access_token=\(user.token)") { socket in
                try await socket.waitUntilOpen()
                _ = try await client.send(.post, "/api/auth/logout", headers: user.auth)
                try await socket.waitUntilClosed()
            }
            #expect(close?.code == 4401)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aLogoutRightAfterTheSocketOpensStillEndsIt(database: TestDatabase) async throws {
        // The sign-out can land between the token check and the moment the connection listens for sign-outs.
        try await withApp(database, framework: .live) { client in
            let port = try #require(client.port)
            let user = try await client.signUp()
            for _ in 1...10 {
                let login = try await client.send(.post, "/api/auth/login", json: ["email": user.email, "password": user.password])
                let token = try #require(login.json["access_token"] as? String)
                let close = try await LiveSocket.connect(port: port, query: "access_token=\(token)") { socket in
                    try await socket.waitUntilOpen()
                    #expect(try await client.send(.post, "/api/auth/logout", headers: [.authorization: "Bearer \(token)"]).status == .noContent)
                    try await socket.waitUntilClosed()
                }
                #expect(close?.code == 4401)
            }
        }
    }

    @Test func aBadSinceClosesWith4400() async throws {
        try await withApp(.sqlite, framework: .live) { client in
            let user = try await client.signUp()
            let close = try await LiveSocket.connect(port: try #require(client.port), query: "access_token=\(user.token)&since=soon") { socket in
                try await socket.waitUntilClosed()
            }
            #expect(close?.code == 4400)
        }
    }

    /// A database that fails while a connection is admitted is the server's trouble, not the
    /// client's: 1011, after which a client reconnects, and never 4401, which would sign it out.
    @Test(.enabled(if: TestDatabase.all.contains(.postgres)))
    func aDatabaseFailureAtTheHandshakeClosesWith1011() async throws {
        let environment = try await TestDatabase.postgres.freshEnvironment()
        defer { Task { await PostgresServer.dropDatabase(in: environment) } }
        try await withApp(.postgres, environment: environment, framework: .live) { client in
            let user = try await client.signUp()
            // Where a stream starts is read from the events table; hide it.
            guard case .postgres(let location) = try Settings(environment: environment).database else { return }
            let store = try PostgresStore(location: location, direct: nil, poolSize: 1, logger: Logger(label: "test"))
            _ = try await store.withDirectConnection { connection in
                try await connection.query("ALTER TABLE events RENAME TO events_hidden", logger: connection.logger)
            }
            let close = try await LiveSocket.connect(port: try #require(client.port), query: "access_token=\(user.token)") { socket in
                try await socket.waitUntilClosed()
            }
            #expect(close?.code == 1011)
        }
    }

    @Test func aPlainGetOfTheWebSocketRouteIs426() async throws {
        try await withApp(.sqlite) { client in
            let response = try await client.send(.get, "/api/live")
            #expect(response.status == .upgradeRequired)
            #expect(response.problemCode == "upgrade_required")
        }
    }
}

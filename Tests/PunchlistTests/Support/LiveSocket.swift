import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import Synchronization

@testable import Punchlist

/// A minimal WebSocket client over a real socket, for the live tests. It keeps every byte the
/// server sends, including frames that arrive in the same read as the `101` response (the
/// swift-websocket client can drop those, a known client-side race), and it can stop reading
/// to play a client that stalled.
final class LiveSocket: Sendable {
    /// How the server closed the connection: the close frame's code and reason.
    struct Close: Sendable, Equatable {
        var code: Int
        var reason: String
    }

    private struct State {
        var bytes: [UInt8] = []
        var channelClosed = false
    }

    private let state = Mutex(State())
    private let channel = Mutex<(any Channel)?>(nil)

    /// The text messages so far, parsed as JSON.
    var messages: [[String: Any]] {
        parsed.texts.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// Event ids received, in order.
    var eventIDs: [Int] { messages.compactMap { $0["id"] as? Int } }

    /// The close frame, once the server sent one.
    var close: Close? { parsed.close }

    /// Waits until at least `count` messages have come.
    @discardableResult
    func waitFor(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [[String: Any]] {
        try await wait(until: { parsed.texts.count >= count }, timeout: timeout) {
            "waited for \(count) live messages, got \(parsed.texts.count): \(parsed.texts.suffix(3))"
        }
        return messages
    }

    /// Waits until the handshake's response has come: where a browser fires `onopen`.
    func waitUntilOpen(timeout: Duration = .seconds(10)) async throws {
        try await wait(until: { state.withLock { $0.bytes.firstRange(of: Array("\r\n\r\n".utf8)) != nil } }, timeout: timeout) {
            "the WebSocket handshake did not complete"
        }
    }

    /// Waits until the server has closed the connection (a close frame, or the socket itself).
    func waitUntilClosed(timeout: Duration = .seconds(10)) async throws {
        try await wait(until: { parsed.close != nil || state.withLock { $0.channelClosed } }, timeout: timeout) {
            "the server did not close the socket"
        }
    }

    /// Checks `condition` every millisecond until it holds, or fails with `failure` after `timeout`.
    private func wait(until condition: () -> Bool, timeout: Duration, failure: () -> String) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure(failure()) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Whether the TCP connection itself has ended.
    var isDisconnected: Bool { state.withLock { $0.channelClosed } }

    /// Connects and upgrades; `stalled` sets a tiny receive buffer and never reads, like a client that stopped.
    static func open(port: Int, query: String, headers: HTTPFields = [:], stalled: Bool = false) async throws -> LiveSocket {
        let socket = LiveSocket()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(socket: socket)) } }
        if stalled {
            bootstrap = bootstrap.channelOption(ChannelOptions.autoRead, value: false)
                .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: 2048)
        }
        let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        socket.channel.withLock { $0 = channel }
        var request = "GET /api/live?\(query) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for field in headers { request += "\(field.name.rawName): \(field.value)\r\n" }
        request += "\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request))
        if stalled {
            // Read just the handshake, then stop.
            channel.read()
        }
        return socket
    }

    /// Opens a socket, runs `body`, then closes it; returns how the server closed it, if it did.
    @discardableResult
    static func connect(
        port: Int, query: String, headers: HTTPFields = [:], _ body: @Sendable (LiveSocket) async throws -> Void = { _ in }
    ) async throws -> Close? {
        let socket = try await open(port: port, query: query, headers: headers)
        defer { socket.disconnect() }
        try await body(socket)
        return socket.close
    }

    /// Starts reading again (after `stalled`), so whatever the server sent, and its close, arrive.
    func resumeReading() async throws {
        let channel = self.channel.withLock { $0 }
        try await channel?.setOption(ChannelOptions.autoRead, value: true).get()
        channel?.read()
    }

    func disconnect() {
        let channel = self.channel.withLock { $0 }
        channel?.close(promise: nil)
    }

    // MARK: Parsing

    private var parsed: (texts: [String], close: Close?) {
        let bytes = state.withLock { $0.bytes }
        guard let headerEnd = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return ([], nil) }
        var index = headerEnd.upperBound
        var texts: [String] = []
        var close: Close?
        while index + 2 <= bytes.count {
            let opcode = bytes[index] & 0x0F
            var length = Int(bytes[index + 1] & 0x7F)
            var start = index + 2
            if length == 126 {
                guard start + 2 <= bytes.count else { break }
                length = Int(bytes[start]) << 8 | Int(bytes[start + 1])
                start += 2
            } else if length == 127 {
                guard start + 8 <= bytes.count else { break }
                length = bytes[start..<start + 8].reduce(0) { $0 << 8 | Int($1) }
                start += 8
            }
            guard start + length <= bytes.count else { break }
            let payload = Array(bytes[start..<start + length])
            switch opcode {
            case 0x1: texts.append(String(decoding: payload, as: UTF8.self))
            case 0x8:
                let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : 1005
                close = Close(code: code, reason: String(decoding: payload.dropFirst(2), as: UTF8.self))
            default: break
            }
            index = start + length
        }
        return (texts, close)
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let socket: LiveSocket

        init(socket: LiveSocket) { self.socket = socket }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            socket.state.withLock { $0.bytes += buffer.readableBytesView }
        }

        func channelInactive(context: ChannelHandlerContext) {
            socket.state.withLock { $0.channelClosed = true }
        }
    }
}

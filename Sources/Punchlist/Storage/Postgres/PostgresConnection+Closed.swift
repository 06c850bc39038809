import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// `request`'s answer, or ``StoreError/unavailable`` if this connection turns out to be closed
    /// when the request reaches its event loop.
    ///
    /// The pool can lease a connection that the server closed a moment before (a restart, Neon
    /// scaling to zero, `pg_terminate_backend`), before it has heard. PostgresNIO writes the request
    /// into the closed channel, which drops it without a word, and its future never completes: the
    /// caller would wait for ever, holding its lease (PreparedReadsTests). A check queued on the
    /// connection's event loop runs after the request's write, so it sees the channel as that write
    /// found it.
    func unlessClosed<Value: Sendable>(_ request: EventLoopFuture<Value>) -> EventLoopFuture<Value> {
        let answer = eventLoop.makePromise(of: Value.self)
        request.cascade(to: answer)
        // A promise keeps its first result, so whichever comes second is ignored.
        eventLoop.execute { if self.isClosed { answer.fail(StoreError.unavailable) } }
        return answer.futureResult
    }
}

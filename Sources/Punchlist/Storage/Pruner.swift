import Foundation
import Logging
import ServiceLifecycle

/// Every hour, deletes what the server no longer has to keep: events, keeping what the contract
/// promises for resuming (at least seven days, and at least each user's latest 10,000), and
/// idempotency keys past their day.
struct Pruner: NamedService {
    var description: String { "Pruner" }
    let store: any Store
    let logger: Logger
    var every: Duration = .seconds(3600)
    static let keepFor: TimeInterval = 7 * 86_400
    static let keepLatest = 10_000

    func run() async throws {
        // Shutdown cancels the sleep: that is a normal end, not an error that would cancel the other services.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                if Task.isCancelled { return }
                do {
                    let removed = try await store.pruneEvents(olderThan: Date() - Self.keepFor, keepingLatest: Self.keepLatest)
                    if removed > 0 { logger.info("pruned old events", metadata: ["count": "\(removed)"]) }
                    let forgotten = try await store.pruneIdempotencyKeys(olderThan: Date() - IdempotencyKey.rememberedFor)
                    if forgotten > 0 { logger.info("forgot old idempotency keys", metadata: ["count": "\(forgotten)"]) }
                } catch {
                    logger.warning("could not prune old events or idempotency keys", metadata: ["error": "\(type(of: error))"])
                }
            }
        }
    }
}

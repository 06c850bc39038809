import Foundation
import Synchronization

/// Counts attempts per key in fixed windows, in this process's memory. With several replicas
/// each keeps its own count, so the effective limit is the setting times the replica count.
final class RateLimiter: Sendable {
    private let limit: RateLimit
    private let windows = Mutex<[String: (start: Int, count: Int)]>([:])

    init(limit: RateLimit) {
        self.limit = limit
    }

    /// Records an attempt for every key; returns the seconds to wait when any key is over its limit.
    func attempt(keys: [String], now: Date = Date()) -> Int? {
        let seconds = Int(now.timeIntervalSince1970)
        let window = seconds - seconds % limit.window
        return windows.withLock { windows in
            if windows.count > 100_000 { windows = windows.filter { $0.value.start == window } }
            var retryAfter: Int?
            for key in keys {
                var entry = windows[key].flatMap { $0.start == window ? $0 : nil } ?? (start: window, count: 0)
                entry.count += 1
                windows[key] = entry
                if entry.count > limit.count { retryAfter = max(1, window + limit.window - seconds) }
            }
            return retryAfter
        }
    }
}

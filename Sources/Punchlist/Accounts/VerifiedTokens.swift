import Foundation
import Synchronization

/// Signed tokens this process has already verified, with their claims. A client sends the same
/// token with every request until it expires, and checking its signature and decoding its header
/// and claims each time was about a tenth of an authenticated request's work. Only the exact token
/// text finds its entry, so a token altered in any byte is verified afresh, and an entry is not used
/// past the token's expiry. Revocation is not this cache's business: the session behind the token
/// is still checked on every request (``SessionCache``).
final class VerifiedTokens: Sendable {
    private let entries = Mutex<[String: AccessClaims]>([:])
    /// Past this many entries the cache starts over.
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The claims of `token` if it was verified before and has not expired at `now`.
    func claims(for token: String, at now: Date) -> AccessClaims? {
        entries.withLock { entries in
            guard let claims = entries[token] else { return nil }
            guard claims.exp.value > now else {
                entries[token] = nil
                return nil
            }
            return claims
        }
    }

    /// Keeps the claims of a token whose signature and claims were just verified.
    func remember(_ claims: AccessClaims, for token: String) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}

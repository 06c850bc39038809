import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on a thread pool so that hashing never blocks the event loops serving other requests.
struct PasswordHasher: Sendable {
    let cost: UInt8
    /// A hash of nothing anyone knows, checked against for unknown emails so that they take as long as wrong passwords.
    /// Checking costs the same whatever the salt and digest, so they are fixed rather than hashed at
    /// start-up, where one bcrypt at cost 10 was 80 of the 90 ms from exec to ready.
    let decoy: String

    init(cost: Int) {
        self.cost = UInt8(cost)
        self.decoy = "$2b$" + (cost < 10 ? "0" : "") + "\(cost)$" + "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
    }

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Checks a password against a stored hash, or against the decoy when there is none.
    func verify(_ password: String, against hash: String?) async throws -> Bool {
        let target = hash ?? decoy
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return matches && hash != nil
    }
}

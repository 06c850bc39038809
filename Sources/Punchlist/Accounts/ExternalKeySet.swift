import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore

/// An external issuer's public keys (`AUTH_JWKS_URL`), fetched on first use and again only when a
/// token names a key id not seen yet (at most every 30 seconds) or the copy is an hour old:
/// never once per request.
actor ExternalKeySet {
    private let url: String
    private let logger: Logger
    private var keys: JWTKeyCollection?
    private var kids: Set<String> = []
    private var fetchedAt: ContinuousClock.Instant?

    init(url: String, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    /// Verifies a token with the issuer's keys, refreshing them once if its key id is new.
    func verify(_ token: String, kid: String?) async throws -> AccessClaims {
        let stale = fetchedAt.map { ContinuousClock.now - $0 > .seconds(3600) } ?? true
        let unknownKid = kid.map { !kids.contains($0) } ?? false
        let mayRefetch = fetchedAt.map { ContinuousClock.now - $0 > .seconds(30) } ?? true
        if keys == nil || stale || (unknownKid && mayRefetch) {
            try await refresh()
        }
        guard let keys else { throw Problem.unauthorized("The token issuer's keys could not be loaded.") }
        return try await keys.verify(token, as: AccessClaims.self)
    }

    private func refresh() async throws {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            guard response.status == .ok else { throw Problem.unauthorized("The token issuer's keys are unavailable.") }
            let body = try await response.body.collect(upTo: 1 << 20)
            let jwks = try JSONDecoder().decode(JWKS.self, from: Data(buffer: body))
            let collection = JWTKeyCollection()
            try await collection.add(jwks: jwks)
            keys = collection
            kids = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
            fetchedAt = .now
        } catch {
            // Keep the keys we had; try again no sooner than the throttle allows.
            fetchedAt = keys == nil ? nil : .now
            logger.warning("could not fetch AUTH_JWKS_URL", metadata: ["error": "\(type(of: error))"])
            if keys == nil { throw Problem.unauthorized("The token issuer's keys could not be loaded.") }
        }
    }
}

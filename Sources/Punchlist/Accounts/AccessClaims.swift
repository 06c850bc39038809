import Foundation
import JWTKit

/// The claims Punchlist reads from a bearer token, its own or another issuer's.
struct AccessClaims: JWTPayload {
    var sub: SubjectClaim
    /// The session id: present in Punchlist's own tokens, the handle for revocation.
    var sid: String?
    var iat: IssuedAtClaim?
    var exp: ExpirationClaim
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    /// Offered by external issuers; used to provision an account on first sight.
    var email: String?
    var name: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// The unverified header of a token: enough to choose the key set to verify it with.
struct TokenHeader {
    var alg: String
    var kid: String?

    init?(token: String) {
        guard let first = token.split(separator: ".", omittingEmptySubsequences: false).first,
            token.split(separator: ".", omittingEmptySubsequences: false).count == 3
        else { return nil }
        var base64 = first.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let alg = object["alg"] as? String
        else { return nil }
        self.alg = alg
        self.kid = object["kid"] as? String
    }
}

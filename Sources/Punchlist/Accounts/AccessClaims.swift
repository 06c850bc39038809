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

    private struct Fields: Decodable {
        var alg: String
        var kid: String?

        enum CodingKeys: String, CodingKey { case alg, kid }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            alg = try container.decode(String.self, forKey: .alg)
            kid = try? container.decodeIfPresent(String.self, forKey: .kid)  // a `kid` that is not text names no key
        }
    }

    init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URLEncoded: parts[0]), let fields = try? JSONDecoder().decode(Fields.self, from: data)
        else { return nil }
        self.alg = fields.alg
        self.kid = fields.kid
    }
}

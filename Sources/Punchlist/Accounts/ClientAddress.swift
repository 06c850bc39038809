import HTTPTypes
import Hummingbird

/// The client's address for rate limits and logs: the peer itself, or with `FORWARDED_HOPS`
/// trusted proxies in front, the address that many hops from the right of `X-Forwarded-For`.
enum ClientAddress {
    static func of(_ request: Request, context: AppRequestContext, trustedHops: Int) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        let all = request.headers[values: .xForwardedFor].joined(separator: ",")
        guard trustedHops > 0, !all.isEmpty else { return peer }
        let hops = all.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard hops.count >= trustedHops else { return hops.first ?? peer }
        return hops[hops.count - trustedHops]
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

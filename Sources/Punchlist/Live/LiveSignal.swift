import Foundation

/// What one replica tells the others (PostgreSQL `NOTIFY`) so that every connection of a user
/// hears of a change or of a session's end, whichever replica it is on.
public enum LiveSignal: Sendable, Equatable {
    /// The user's outbox has events up to `latest`.
    case events(userID: UUID, latest: Int64)
    /// A session was revoked (logout).
    case sessionEnded(UUID)
    /// Every session of the user ended, but `except` (password change, account deletion).
    case userSessionsEnded(UUID, except: UUID?)

    static let channel = "punchlist_live"

    var payload: String {
        switch self {
        case .events(let user, let latest): Self.eventsPrefix(user) + "\(latest)"
        case .sessionEnded(let session): "s:\(session.lowercased)"
        case .userSessionsEnded(let user, let except): "u:\(user.lowercased):\(except?.lowercased ?? "-")"
        }
    }

    /// The payload of ``events(userID:latest:)`` up to the number, for a statement to complete with the number it made.
    static func eventsPrefix(_ userID: UUID) -> String { "e:\(userID.lowercased):" }

    init?(payload: String) {
        let parts = payload.split(separator: ":").map(String.init)
        switch (parts.first, parts.count) {
        case ("e", 3):
            guard let user = UUID(text: parts[1]), let latest = Int64(parts[2]) else { return nil }
            self = .events(userID: user, latest: latest)
        case ("s", 2):
            guard let session = UUID(text: parts[1]) else { return nil }
            self = .sessionEnded(session)
        case ("u", 3):
            guard let user = UUID(text: parts[1]) else { return nil }
            self = .userSessionsEnded(user, except: UUID(text: parts[2]))
        default:
            return nil
        }
    }
}

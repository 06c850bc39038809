import Foundation

/// A user's chat with the assistant; its messages are kept so it resumes after a restart.
public struct Conversation: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    /// The start of the first message, for lists.
    public var title: String
    public var createdAt: Date
    public var updatedAt: Date

    /// A title from the first message: its first line, at most 80 characters.
    static func title(from message: String) -> String {
        let firstLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 80 ? String(trimmed.prefix(79)) + "…" : trimmed
    }
}

/// One message of a conversation: what the user asked, or what the assistant answered with the
/// actions it took and the tasks it drew on.
public struct ConversationMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case user, assistant }

    public var role: Role
    public var content: String
    /// The actions as the chat route reports them (a JSON array); `[]` for the user's messages.
    public var actionsJSON: String
    public var sources: [UUID]
    public var createdAt: Date

    public init(role: Role, content: String, actionsJSON: String = "[]", sources: [UUID] = [], createdAt: Date) {
        self.role = role
        self.content = content
        self.actionsJSON = actionsJSON
        self.sources = sources
        self.createdAt = createdAt
    }
}

/// A task's embedding for one model, and the task version it was computed from.
public struct TaskEmbedding: Sendable, Equatable {
    public var taskID: UUID
    public var version: Int
    public var vector: [Float]
}

extension [Float] {
    /// Little-endian 32-bit floats, as the databases keep vectors.
    var storedBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 4)
        for value in self {
            let bits = value.bitPattern
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
        return bytes
    }

    init(storedBytes bytes: some Collection<UInt8>) {
        let array = [UInt8](bytes)
        var values: [Float] = []
        values.reserveCapacity(array.count / 4)
        var offset = 0
        while offset + 4 <= array.count {
            var bits = UInt32(array[offset])
            bits |= UInt32(array[offset + 1]) << 8
            bits |= UInt32(array[offset + 2]) << 16
            bits |= UInt32(array[offset + 3]) << 24
            values.append(Float(bitPattern: bits))
            offset += 4
        }
        self = values
    }
}

import Foundation
import Logging

/// One JSON object per line on standard error, for log collectors off a terminal.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        let extra = event.metadata
        var json = JSONWriter(capacity: 256)
        json.beginObject()
        json.key("time"); json.date(Date())
        json.key("level"); json.string(level.rawValue)
        json.key("message"); json.string(message.description)
        json.key("logger"); json.string(label)
        let merged = metadata.merging(extra ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            json.dynamicKey(key)
            json.string(value.description)
        }
        json.endObject()
        var bytes = json.bytes
        bytes.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(Data(bytes))
    }
}

import NIOCore

/// Server-Sent Events framing, shared by the live stream and the assistant's streamed answers.
enum EventStream {
    /// One event: `id:` (when given), `event:` and one `data:` line of JSON, then a blank line.
    static func frame(_ name: String, id: Int64? = nil, data: some Collection<UInt8>) -> ByteBuffer {
        var buffer = ByteBuffer(string: id.map { "id: \($0)\n" } ?? "")
        buffer.writeString("event: \(name)\ndata: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}

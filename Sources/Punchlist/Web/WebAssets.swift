import CompressNIO
import Crypto
import Foundation
import NIOCore

/// The web app's files (`PUBLIC_DIR`), read once at start and kept in memory with a gzip copy
/// and an ETag each: a small app, so every request is a dictionary lookup.
struct WebAssets: Sendable {
    /// One file, ready to send.
    struct Asset: Sendable {
        var contentType: String
        var body: ByteBuffer
        /// The gzip copy, when compressing was worth it.
        var gzipped: ByteBuffer?
        /// A strong validator from the content's hash, for `If-None-Match`.
        var etag: String
    }

    /// By URL path (`/index.html`, `/app.js`, …).
    let assets: [String: Asset]

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8", "json": "application/json", "webmanifest": "application/manifest+json",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "txt": "text/plain; charset=utf-8",
        "woff2": "font/woff2",
    ]

    /// Reads every non-hidden file under `directory`; an absent directory gives no assets.
    init(directory: String) {
        var assets: [String: Asset] = [:]
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        if let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) {
            for case let file as URL in files {
                guard (try? file.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                    let data = try? Data(contentsOf: file)
                else { continue }
                let path = String(file.standardizedFileURL.path.dropFirst(root.path.count))
                let type = Self.contentTypes[file.pathExtension.lowercased()] ?? "application/octet-stream"
                var body = ByteBuffer(bytes: data)
                var gzipped: ByteBuffer?
                if data.count > 1024, type.hasPrefix("text/") || type.contains("json") || type.contains("svg") {
                    var copy = body
                    if let compressed = try? copy.compress(with: .gzip()), compressed.readableBytes < data.count { gzipped = compressed }
                }
                let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
                body = ByteBuffer(bytes: data)
                assets[path] = Asset(contentType: type, body: body, gzipped: gzipped, etag: "\"\(digest)\"")
            }
        }
        self.assets = assets
    }

    var isEmpty: Bool { assets.isEmpty }
}

import HTTPTypes
import Hummingbird

/// Serves the web app: `GET /` to a browser is `index.html`, and every file of `PUBLIC_DIR` by its
/// path, revalidated by ETag (`no-cache` means "ask before reusing", so a new release is seen at
/// once) and gzipped when the client accepts it. Anything else goes on to the API routes.
struct WebAppMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let assets: WebAssets

    /// A strict policy for the app's own pages: its scripts and styles only, API calls anywhere
    /// (the API may be on another origin), never framed.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' http: https: ws: wss:; "
        + "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        let path = request.uri.path
        let asset: WebAssets.Asset?
        if path == "/" {
            asset = ServiceRoutes.prefersHTML(request) ? assets.assets["/index.html"] : nil
        } else {
            asset = assets.assets[path]
        }
        guard let asset else { return try await next(request, context) }
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "no-cache", .vary: "Accept-Encoding",
            .init("X-Content-Type-Options")!: "nosniff", .init("Referrer-Policy")!: "strict-origin-when-cross-origin",
        ]
        if asset.contentType.hasPrefix("text/html") { headers[.contentSecurityPolicy] = Self.contentSecurityPolicy }
        if request.headers[.ifNoneMatch]?.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag }) == true {
            return Response(status: .notModified, headers: headers)
        }
        var body = asset.body
        if let gzipped = asset.gzipped, request.headers[.acceptEncoding]?.contains("gzip") == true {
            body = gzipped
            headers[.contentEncoding] = "gzip"
        }
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: body))
    }
}

import Foundation
import HTTPTypes

/// The routes the OpenAPI document declares, so a known path with the wrong method is a 405
/// (with `Allow`) rather than a 404: the document is the one list of what exists.
struct RouteCatalog: Sendable {
    /// The API's routes, read from its document the first time a request needs them (a 404), not at
    /// start-up, where parsing the 110 kB document took a twentieth of the CPU (docs/BENCHMARKS.md, "Start-up").
    static let api = RouteCatalog(openAPIDocument: PackageResources.openapi_json)

    private let routes: [(segments: [Substring], methods: [String])]

    init(openAPIDocument: [UInt8]) {
        let document = (try? JSONSerialization.jsonObject(with: Data(openAPIDocument))) as? [String: Any]
        let paths = document?["paths"] as? [String: Any] ?? [:]
        let verbs: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        routes = paths.map { path, item in
            let methods = ((item as? [String: Any]) ?? [:]).keys.filter(verbs.contains).map { $0.uppercased() }.sorted()
            return (segments: path.split(separator: "/"), methods: methods)
        }
    }

    /// The methods allowed on a concrete path, or nil when no declared route has that shape.
    func allowedMethods(for path: String) -> [String]? {
        let segments = path.split(separator: "/")
        let matching = routes.filter { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { template, actual in template.hasPrefix("{") || template == actual }
        }
        // A literal segment beats a parameter, as in the router: `/api/tasks/export` is not `/api/tasks/{id}`.
        let parameterCount = { (route: (segments: [Substring], methods: [String])) in route.segments.filter { $0.hasPrefix("{") }.count }
        guard let fewest = matching.map(parameterCount).min() else { return nil }
        var methods = Set(matching.filter { parameterCount($0) == fewest }.flatMap(\.methods))
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }
}

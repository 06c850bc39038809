import Dispatch
import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Counts and times requests for `/metrics`, under the names and dimensions of Hummingbird's
/// `MetricsMiddleware`, which it replaces (`hb_requests`, `http_server_request_duration`,
/// `hb_request_errors`, `http_server_active_requests`).
///
/// Hummingbird's wraps every response body so as to record once the body is written. A wrapped
/// body loses Hummingbird's single write of a whole response: the head and the body went out in
/// two system calls and two TCP segments instead of one, which cost about 5% of the server's CPU
/// per request (docs/BENCHMARKS.md, "One write per response"). Here a response of known length
/// is recorded when it is ready, as the request log line is; a body of unknown length (a stream:
/// live events, an export, the assistant's answer) is still timed, and counted as active, until
/// its last byte is written.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let cache = RequestMetricsCache()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let active = cache.active(request.method)
        active.increment()
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let metrics = cache.endpoint(.init(route: context.endpointPath ?? "NotFound", method: request.method, status: status))
            metrics.requests.increment()
            metrics.errors.increment()
            active.decrement()
            throw error
        }
        let metrics = cache.endpoint(.init(route: context.endpointPath ?? "Unknown", method: request.method, status: response.status))
        let record: @Sendable () -> Void = {
            metrics.requests.increment()
            metrics.duration.recordNanoseconds(DispatchTime.now().uptimeNanoseconds - start)
            active.decrement()
        }
        guard response.body.contentLength == nil else {
            record()
            return response
        }
        var streamed = response
        let body = response.body
        streamed.body = ResponseBody { writer in
            defer { record() }
            try await body.write(writer)
        }
        return streamed
    }
}

/// The metrics of each method and each (route, method, status), made once: the factory's look-up
/// by label and dimensions costs more than the recording.
private final class RequestMetricsCache: Sendable {
    struct Endpoint: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: HTTPResponse.Status
    }

    struct EndpointMetrics: Sendable {
        let requests: Counter
        let duration: Metrics.Timer
        let errors: Counter

        init(_ endpoint: Endpoint) {
            let dimensions = [
                ("http.route", endpoint.route), ("http.request.method", endpoint.method.rawValue),
                ("http.response.status_code", String(endpoint.status.code)),
            ]
            requests = Counter(label: "hb.requests", dimensions: dimensions)
            duration = Metrics.Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds)
            errors = Counter(
                label: "hb.request.errors",
                dimensions: [
                    ("http.route", endpoint.route), ("http.request.method", endpoint.method.rawValue),
                    ("error.type", String(endpoint.status.code)),
                ])
        }
    }

    private let methods = Mutex<[HTTPRequest.Method: Meter]>([:])
    private let endpoints = Mutex<[Endpoint: EndpointMetrics]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        methods.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            meters[method] = meter
            return meter
        }
    }

    func endpoint(_ endpoint: Endpoint) -> EndpointMetrics {
        endpoints.withLock { cache in
            if let metrics = cache[endpoint] { return metrics }
            let metrics = EndpointMetrics(endpoint)
            cache[endpoint] = metrics
            return metrics
        }
    }
}

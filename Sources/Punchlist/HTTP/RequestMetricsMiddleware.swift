import Dispatch
import HTTPTypes
import Hummingbird
import Metrics

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
    private let activeRequests = MetricsByKey<HTTPRequest.Method, Meter> {
        Meter(label: "http.server.active_requests", dimensions: [("http.request.method", $0.rawValue)])
    }
    private let endpoints = MetricsByKey<Endpoint, EndpointMetrics>(EndpointMetrics.init)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let active = activeRequests[request.method]
        active.increment()
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let metrics = endpoints[Endpoint(route: context.endpointPath ?? "NotFound", method: request.method, status: status)]
            metrics.requests.increment()
            metrics.errors.increment()
            active.decrement()
            throw error
        }
        let done = Completion(
            metrics: endpoints[Endpoint(route: context.endpointPath ?? "Unknown", method: request.method, status: response.status)],
            active: active, start: start)
        guard response.body.contentLength == nil else {
            done.record()
            return response
        }
        var streamed = response
        let body = response.body
        streamed.body = ResponseBody { writer in
            defer { done.record() }
            try await body.write(writer)
        }
        return streamed
    }
}

/// What one request is counted under.
private struct Endpoint: Hashable, Sendable {
    let route: String
    let method: HTTPRequest.Method
    let status: HTTPResponse.Status
}

private struct EndpointMetrics: Sendable {
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

/// A request answered: counted, timed from `start`, and no longer active.
private struct Completion: Sendable {
    let metrics: EndpointMetrics
    let active: Meter
    let start: UInt64

    func record() {
        metrics.requests.increment()
        metrics.duration.recordNanoseconds(DispatchTime.now().uptimeNanoseconds - start)
        active.decrement()
    }
}

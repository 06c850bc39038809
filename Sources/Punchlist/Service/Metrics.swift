import Metrics
import Prometheus
import Synchronization

/// The process's Prometheus registry; swift-metrics can be bootstrapped once per process, so every
/// application built in it (tests build many) shares this one.
enum ServiceMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// Metrics of one kind, made on a key's first use and kept: making a metric looks it up in the
/// registry, building its key, under the registry's lock, which costs more than recording to it.
final class MetricsByKey<Key: Hashable & Sendable, Metric: Sendable>: Sendable {
    private let made = Mutex<[Key: Metric]>([:])
    private let make: @Sendable (Key) -> Metric

    init(_ make: @escaping @Sendable (Key) -> Metric) { self.make = make }

    subscript(key: Key) -> Metric {
        made.withLock { made in
            if let metric = made[key] { return metric }
            let metric = make(key)
            made[key] = metric
            return metric
        }
    }
}

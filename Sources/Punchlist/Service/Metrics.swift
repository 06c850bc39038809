import Metrics
import Prometheus

/// The process's Prometheus registry; swift-metrics can be bootstrapped once per process, so every
/// application built in it (tests build many) shares this one.
enum ServiceMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

import Prometheus

/// The hub's Prometheus metrics, named as JupyterHub names them (`jupyterhub_` prefix).
public final class HubMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let runningServers: Prometheus.Gauge
    let totalUsers: Prometheus.Gauge
    let initSpawnersDuration: DurationHistogram
    let hubStartupDuration: DurationHistogram

    static let spawnBuckets: [Duration] = [0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 180, 300, 600].map { .milliseconds(Int($0 * 1000)) }
    static let shortBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { .microseconds(Int($0 * 1_000_000)) }

    public init() {
        runningServers = registry.makeGauge(descriptor: Self.count("running", "servers", "the number of user servers currently running"))
        totalUsers = registry.makeGauge(descriptor: Self.count("total", "users", "total number of users"))
        initSpawnersDuration = registry.makeDurationHistogram(
            descriptor: Self.seconds("init_spawners_duration", "Time taken for spawners to initialize"), buckets: Self.spawnBuckets)
        hubStartupDuration = registry.makeDurationHistogram(
            descriptor: Self.seconds("hub_startup_duration", "Time taken for Hub to start"), buckets: Self.spawnBuckets)
    }

    func spawnDuration(status: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: Self.seconds("server_spawn_duration", "time taken for server spawning operation"), labels: [("status", status)], buckets: Self.spawnBuckets)
    }

    func stopDuration(status: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: Self.seconds("server_stop", "time taken for server stopping operation"), labels: [("status", status)], buckets: Self.spawnBuckets)
    }

    func pollDuration(status: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: Self.seconds("server_poll_duration", "time taken to poll if server is running"), labels: [("status", status)], buckets: Self.shortBuckets)
    }

    func requestDuration(method: String, handler: String, code: Int) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: Self.seconds("request_duration", "request duration for all HTTP requests"),
            labels: [("method", method), ("handler", handler), ("code", String(code))], buckets: Self.shortBuckets)
    }

    func activeUsers(period: String) -> Prometheus.Gauge {
        registry.makeGauge(
            descriptor: Self.count("active", "users", "Number of users who were active in the given time period"),
            labels: [("period", period)])
    }

    /// `slurmhub_config_reloads_total{result="applied"|"refused"}`.
    func configReloads(result: String) -> Prometheus.Counter {
        registry.makeCounter(
            descriptor: .init(namespace: "slurmhub", metricName: "config_reloads", unitName: "total",
                              helpText: "Configuration reloads (SIGHUP or a watched file changed), applied or refused"),
            labels: [("result", result)])
    }

    static func seconds(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "jupyterhub", metricName: name, unitName: "seconds", helpText: help)
    }

    static func count(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "jupyterhub", metricName: name, unitName: unit, helpText: help)
    }

    /// Prometheus text exposition.
    public func render() -> String { registry.emitToString() }
}

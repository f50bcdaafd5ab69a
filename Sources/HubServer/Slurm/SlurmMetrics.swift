import Prometheus
import SlurmSpawner
import SSHTransport

/// Prometheus metrics of the Slurm spawner and its SSH sessions (`slurmhub_` prefix: JupyterHub has none).
///
/// `slurmhub_slurm_commands_total{command="squeue"}` grows by one per poll interval however many
/// servers run: that is how "one scheduler query per interval" is checked.
struct SlurmMetrics: SlurmCommandObserver {
    let registry: PrometheusCollectorRegistry

    func commandFinished(_ name: String, duration: Duration, succeeded: Bool) {
        registry.makeCounter(
            descriptor: .init(namespace: "slurmhub", subsystem: "slurm", metricName: "commands", unitName: "total",
                              helpText: "Slurm commands run on login nodes"),
            labels: [("command", name), ("result", succeeded ? "ok" : "error")]).increment()
        registry.makeDurationHistogram(
            descriptor: .init(namespace: "slurmhub", subsystem: "slurm", metricName: "command_duration", unitName: "seconds",
                              helpText: "Round trip of one Slurm command over the SSH session"),
            labels: [("command", name)], buckets: HubMetrics.shortBuckets).recordNanoseconds(duration.nanoseconds)
    }

    func jobSubmitted(after duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: .init(namespace: "slurmhub", subsystem: "slurm", metricName: "submit_duration", unitName: "seconds",
                              helpText: "From a spawn reaching the spawner to sbatch returning the job id"),
            buckets: HubMetrics.shortBuckets).recordNanoseconds(duration.nanoseconds)
    }

    func sessionEstablished(_ host: SSHHost) {
        registry.makeCounter(
            descriptor: .init(namespace: "slurmhub", subsystem: "ssh", metricName: "sessions_established", unitName: "total",
                              helpText: "SSH sessions established to login nodes (each is kept open and reused)"),
            labels: [("host", host.description)]).increment()
    }
}

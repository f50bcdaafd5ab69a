import HubConfig
import SlurmSpawner
import SSHTransport

/// How a configuration reload reaches the spawner: ``prepare`` builds the spawner's new settings from the
/// configuration (throwing, and changing nothing, when they are invalid) and returns the step that puts them in
/// effect; ``hostKeysChanged`` runs when the login nodes' known_hosts file changed.
struct SpawnerReloading: Sendable {
    let prepare: @Sendable (HubConfiguration) throws -> @Sendable () async -> Void
    let hostKeysChanged: @Sendable () async -> Void

    /// For spawners whose settings are restart-only (the local spawner, test spawners).
    static let none = SpawnerReloading(prepare: { _ in {} }, hostKeysChanged: {})

    init(prepare: @escaping @Sendable (HubConfiguration) throws -> @Sendable () async -> Void,
         hostKeysChanged: @escaping @Sendable () async -> Void) {
        self.prepare = prepare
        self.hostKeysChanged = hostKeysChanged
    }

    /// The Slurm spawner: partitions, environments, limits, commands and the job template apply to the next
    /// spawn; after a known_hosts change every SSH session reconnects, so each host key is checked again.
    init(spawner: SlurmJobSpawner, transport: SSHTransport) {
        prepare = { config in
            let deployment = try SlurmDeployment(config: config)
            let script = try deployment.jobScript()
            return { await spawner.reconfigure(deployment.spawner, script: script) }
        }
        hostKeysChanged = { await transport.reconnectAll(reason: "the known_hosts file changed") }
    }
}

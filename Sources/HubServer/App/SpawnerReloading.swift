import SSHTransport

/// What a configuration reload must tell the spawner beyond the settings it reads from ``LiveSettings``:
/// ``hostKeysChanged`` runs when the login nodes' known_hosts file changed.
struct SpawnerReloading: Sendable {
    let hostKeysChanged: @Sendable () async -> Void

    /// For spawners without SSH sessions (the local spawner, test spawners).
    static let none = SpawnerReloading(hostKeysChanged: {})

    /// The Slurm spawner's transport: after a known_hosts change every SSH session reconnects, so each host key
    /// is checked again.
    static func reconnecting(_ transport: SSHTransport) -> SpawnerReloading {
        SpawnerReloading(hostKeysChanged: { await transport.reconnectAll(reason: "the known_hosts file changed") })
    }
}

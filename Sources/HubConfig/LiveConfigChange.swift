/// What a reloaded configuration changes in a running hub.
///
/// Most keys apply live (partitions, environments, limits, login rules, services, pages). A few are bound to
/// resources made once at start-up — listening sockets, the data directory, the database, the login method,
/// the spawner and its SSH sessions, logging — and keep their running values until the hub restarts;
/// ``restartRequired`` names those that differ, so the operator is told instead of silently ignored.
public struct LiveConfigChange: Sendable, Equatable {
    /// The configuration to run with: the reloaded one, with every restart-only key at its running value.
    public let applied: HubConfiguration
    /// Restart-only keys whose value in the file differs from the running one (`hub.public_bind`, …).
    public let restartRequired: [String]
    /// Keys (top-level sections or `section.key`) whose live value changes.
    public let changedSections: [String]

    /// Compares `loaded` (already validated) with `running`.
    public init(running: HubConfiguration, loaded: HubConfiguration) {
        var applied = loaded
        var restart: [String] = []
        func keep<Value: Equatable>(_ key: String, _ path: WritableKeyPath<HubConfiguration, Value>) {
            guard applied[keyPath: path] != running[keyPath: path] else { return }
            restart.append(key)
            applied[keyPath: path] = running[keyPath: path]
        }
        keep("hub.public_bind", \.hub.publicBind)
        keep("hub.api_bind", \.hub.apiBind)
        keep("hub.public_url", \.hub.publicURL)
        keep("hub.subdomain_host", \.hub.subdomainHost)
        keep("hub.data_dir", \.hub.dataDir)
        keep("hub.username_pattern", \.hub.usernamePattern)
        keep("hub.max_body_size", \.hub.maxBodySize)
        keep("hub.http", \.hub.http)
        // The certificate files are read again on every reload; which files, and whether TLS is on, is fixed.
        keep("hub.tls", \.hub.tls)
        keep("hub.api_tls", \.hub.apiTLS)
        keep("auth.kind", \.auth.kind)
        keep("spawner.kind", \.spawner.kind)
        keep("spawner.local", \.spawner.local)
        // The SSH transport's sessions and the variables they may carry (sshd's AcceptEnv matches them).
        keep("spawner.slurm.login_nodes", \.spawner.slurm.loginNodes)
        keep("spawner.slurm.ssh_user", \.spawner.slurm.sshUser)
        keep("spawner.slurm.ssh_key_file", \.spawner.slurm.sshKeyFile)
        keep("spawner.slurm.known_hosts_file", \.spawner.slurm.knownHostsFile)
        keep("spawner.slurm.connect_timeout", \.spawner.slurm.connectTimeout)
        keep("spawner.slurm.keepalive_interval", \.spawner.slurm.keepaliveInterval)
        keep("spawner.slurm.environment_allow", \.spawner.slurm.environmentAllow)
        keep("spawner.slurm.token_delivery", \.spawner.slurm.tokenDelivery)
        keep("spawner.slurm.slurm_conf", \.spawner.slurm.slurmConf)
        keep("proxy", \.proxy)
        keep("log", \.log)
        self.applied = applied
        restartRequired = restart

        var changed: [String] = []
        func note<Value: Equatable>(_ key: String, _ path: KeyPath<HubConfiguration, Value>) {
            if applied[keyPath: path] != running[keyPath: path] { changed.append(key) }
        }
        note("hub", \.hub)
        note("auth", \.auth)
        note("spawner", \.spawner)
        note("services", \.services)
        note("ui", \.ui)
        changedSections = changed
    }
}

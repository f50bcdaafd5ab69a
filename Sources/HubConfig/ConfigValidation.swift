import Foundation
import HubModel

extension ConfigLoader {
    /// Checks everything that can be checked without starting anything.
    public static func validate(_ config: HubConfiguration) throws {
        let hub = config.hub
        for (key, url) in [("hub.public_url", hub.publicURL), ("hub.api_url_for_servers", hub.apiURLForServers)]
        where !url.isEmpty {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ConfigError("\(key) '\(url)' must be an http(s) URL")
            }
        }
        try validateSubdomainHost(hub)
        guard !hub.dataDir.isEmpty else { throw ConfigError("hub.data_dir must not be empty") }
        let policy: UsernamePolicy
        do {
            policy = try UsernamePolicy(pattern: hub.usernamePattern)
        } catch {
            throw ConfigError("hub.username_pattern: \(error)")
        }
        for name in hub.adminUsers where !policy.isValid(name) {
            throw ConfigError("hub.admin_users: '\(name)' does not match hub.username_pattern")
        }
        let positive: [(String, Double)] = [
            ("hub.cookie_max_age_days", hub.cookieMaxAgeDays), ("hub.slow_spawn_timeout", hub.slowSpawnTimeout),
            ("hub.slow_stop_timeout", hub.slowStopTimeout), ("hub.last_activity_interval", hub.lastActivityInterval),
            ("spawner.start_timeout", config.spawner.startTimeout), ("spawner.http_timeout", config.spawner.httpTimeout),
            ("spawner.poll_interval", config.spawner.pollInterval), ("hub.max_body_size", Double(hub.maxBodySize)),
        ]
        for (key, value) in positive where !(value > 0) {
            throw ConfigError("\(key) must be greater than 0")
        }
        for (key, value) in [("hub.named_server_limit_per_user", hub.namedServerLimitPerUser),
                             ("hub.concurrent_spawn_limit", hub.concurrentSpawnLimit),
                             ("hub.active_server_limit", hub.activeServerLimit)] where value < 0 {
            throw ConfigError("\(key) must not be negative")
        }
        if !(hub.configWatchInterval >= 0) {
            throw ConfigError("hub.config_watch_interval must be 0 (off) or a number of seconds")
        }
        try hub.http.validate()
        try hub.tls.validate(publicURL: hub.publicURL, publicBind: hub.publicBind)
        try hub.apiTLS.validate()
        if hub.apiTLS.enabled, hub.apiURLForServers.lowercased().hasPrefix("http://") {
            throw ConfigError("hub.api_url_for_servers '\(hub.apiURLForServers)' must be https:// when hub.api_tls is on")
        }
        try validateAuth(config.auth, publicBind: hub.publicBind, publicURL: hub.publicURL, policy: policy)
        try validateSpawner(config.spawner)
        var serviceNames: Set<String> = []
        for service in config.services {
            guard service.name.matchesWhole(#"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$"#) else {
                throw ConfigError("services: invalid service name '\(service.name)'")
            }
            guard serviceNames.insert(service.name).inserted else {
                throw ConfigError("services: duplicate service name '\(service.name)'")
            }
            guard !service.apiTokenFile.isEmpty else {
                throw ConfigError("services.\(service.name).api_token_file is required")
            }
            let unknown = ScopeSet.unknown(in: service.scopes)
            guard unknown.isEmpty else {
                throw ConfigError("services.\(service.name).scopes: unknown scopes \(unknown.joined(separator: ", "))")
            }
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(config.log.level) else {
            throw ConfigError("log.level '\(config.log.level)' is not one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// `hub.subdomain_host`: an http(s) origin on a DNS name, with `hub.public_url` on the same origin (the hub's
    /// own pages stay there; users' servers move to its subdomains).
    static func validateSubdomainHost(_ hub: HubSection) throws {
        guard !hub.subdomainHost.isEmpty else { return }
        guard let origins = hub.userOrigins else {
            throw ConfigError("hub.subdomain_host '\(hub.subdomainHost)' must be scheme://host[:port] with a DNS name "
                + "(e.g. https://hub.example.org), no path")
        }
        guard origins.usesHTTPS else {
            // Over http browsers send no Sec-Fetch-Site and cookies cannot carry `__Host-`: a user's subdomain could
            // plant the hub's cookies and post forms to it as same-site requests.
            throw ConfigError("hub.subdomain_host must be https:// (wildcard certificate in hub.tls or a TLS terminator in front)")
        }
        let publicOrigin = UserOrigins(subdomainHost: HubSection.origin(of: hub.publicURL))
        guard publicOrigin == origins else {
            throw ConfigError("hub.subdomain_host needs hub.public_url on the same origin: set hub.public_url: "
                + "\(origins.hubOrigin)/")
        }
    }

    static func validateAuth(_ auth: AuthSection, publicBind: ListenAddress, publicURL: String,
                             policy: UsernamePolicy) throws {
        switch auth.kind {
        case .dev:
            if !publicBind.isLoopback && !auth.dev.allowRemote {
                throw ConfigError(
                    "auth.kind dev is for demos and tests: hub.public_bind \(publicBind) is not loopback; "
                        + "bind 127.0.0.1 or set auth.dev.allow_remote: true")
            }
            for name in auth.dev.users where !policy.isValid(name) {
                throw ConfigError("auth.dev.users: '\(name)' does not match hub.username_pattern")
            }
        case .oauth:
            try validateOAuth(auth.oauth, publicURL: publicURL, policy: policy)
        }
    }

    static func validateSpawner(_ spawner: SpawnerSection) throws {
        for name in spawner.environment.keys
        where !name.matchesWhole(#"^[A-Za-z_][A-Za-z0-9_]*$"#) {
            throw ConfigError("spawner.environment: invalid variable name '\(name)'")
        }
        if !spawner.defaultURL.isEmpty, !spawner.defaultURL.hasPrefix("/") {
            throw ConfigError("spawner.default_url must be a path starting with /")
        }
        switch spawner.kind {
        case .local:
            guard !spawner.local.cmd.isEmpty else { throw ConfigError("spawner.local.cmd must not be empty") }
            guard spawner.local.ports != nil else {
                throw ConfigError("spawner.local.port_range '\(spawner.local.portRange)' must be low-high within 1-65535")
            }
        case .slurm:
            try validateSlurm(spawner.slurm, extraEnvironment: spawner.environment)
        }
    }
}

/// Reads secrets from files: the first line, trimmed. Secrets never appear in the config itself.
public enum SecretFile {
    /// Reads a secret; `minimumLength` guards against empty or trivial tokens.
    public static func read(_ path: String, what: String, minimumLength: Int = 8) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("cannot read \(what) from \(path): \(error.localizedDescription)")
        }
        let secret = text.split(whereSeparator: \.isNewline).first.map(String.init)?
            .trimmingCharacters(in: .whitespaces) ?? ""
        guard secret.count >= minimumLength else {
            throw ConfigError("\(what) in \(path) must be at least \(minimumLength) characters")
        }
        return secret
    }

    /// Reads the secret at `path`, or creates `fallback` (mode 0600) with a random value when `path` is empty.
    public static func readOrCreate(_ path: String, fallback: String, what: String) throws -> String {
        if !path.isEmpty { return try read(path, what: what) }
        if FileManager.default.fileExists(atPath: fallback) { return try read(fallback, what: what) }
        let secret = Secrets.randomHex(bytes: 32)
        try writePrivate(secret + "\n", to: fallback)
        return secret
    }

    /// Writes a file readable only by its owner, creating it with mode 0600 from the start.
    public static func writePrivate(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw ConfigError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

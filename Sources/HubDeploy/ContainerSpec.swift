import Foundation
import HubModel
import HubConfig

/// How the appliance's container runs under rootless podman, derived from the hub's configuration: the one source
/// of `slurmhub.container` (Quadlet) and `container-slurmhub.service` (`podman run`), which render
/// ``settings`` and ``serviceSettings`` each in their own syntax and therefore cannot drift apart.
///
/// Every path the configuration names is mounted at the same path inside the container, so the configuration
/// file works unchanged in both places: its directory and the directories of the SSH key, `known_hosts`, secret
/// files and templates read-only, `hub.data_dir` read-write.
public struct ContainerSpec: Sendable, Equatable {
    /// A host directory mounted at the same path in the container.
    public struct Mount: Sendable, Equatable {
        public let path: String
        public let readOnly: Bool
    }

    /// Container and unit name stem: `slurmhub.container` runs container `slurmhub`.
    public static let name = "slurmhub"
    /// The image used when `generate systemd` is given none: a locally built one (`podman build -t …`).
    public static let defaultImage = "localhost/slurmhub:latest"
    /// The uid and gid of the image's user (container/Containerfile: `USER 10001:10001`).
    public static let imageUser = 10001
    /// Where the image (container/Containerfile) installs the binary.
    public static let binaryPath = "/usr/local/bin/slurmhub"
    /// `WatchdogSec=`: systemd restarts a hub that has not pinged for this long; the hub pings at half of it.
    public static let watchdogSeconds = 60

    public let image: String
    /// `registry` for an image from a registry, `local` for a `localhost/` image (`podman auto-update`).
    public let autoUpdate: String
    public let mounts: [Mount]
    /// Container ports published on the same host port (the proxy's and the hub API's).
    public let ports: [Int]
    /// The arguments after the image: `serve --config <file>`.
    public let command: [String]
    /// `slurmhub health` through the proxy to `/hub/health`, inside the container (the image has no curl).
    public let healthCommand: String

    /// - Parameters:
    ///   - config: the validated configuration.
    ///   - configPath: where the configuration file is on the hub host (absolute).
    ///   - image: a fully qualified image reference (`registry.example.org/hpc/slurmhub:1`, `localhost/slurmhub:dev`).
    public init(config: HubConfiguration, configPath: String, image: String) throws {
        self.image = image
        autoUpdate = try Self.autoUpdatePolicy(image: image)
        let (publicBind, apiBind) = (config.hub.publicBind, config.hub.apiBind)
        var binds = [("hub.public_bind", publicBind), ("hub.api_bind", apiBind)]
        if let redirect = config.hub.tls.redirectHTTPBind { binds.append(("hub.tls.redirect_http_bind", redirect)) }
        for (key, bind) in binds where !Self.isWildcard(bind.host) {
            throw ConfigError("\(key) is \(bind): in the container the hub must listen on all interfaces "
                + "(0.0.0.0:\(bind.port)) for podman to forward the port; limit who reaches it with the host's "
                + "firewall (host/nftables.conf)")
        }
        var ports: [Int] = []
        for (_, bind) in binds where !ports.contains(bind.port) { ports.append(bind.port) }
        self.ports = ports
        try Self.checkPath(configPath, key: "the configuration file")
        mounts = try Self.mounts(config: config, configPath: configPath)
        command = ["serve", "--config", configPath]
        // Through the proxy, so that both listeners are checked; loopback, so a TLS certificate (which names the public
        // host) is not verified.
        let scheme = config.hub.tls.enabled ? "https" : "http"
        healthCommand = "\(Self.binaryPath) health --url \(scheme)://127.0.0.1:\(publicBind.port)/hub/health"
            + (config.hub.tls.enabled ? " --insecure" : "")
    }

    static func isWildcard(_ host: String) -> Bool { ["0.0.0.0", "::", "", "*"].contains(host) }

    /// `local` for `localhost/…`, `registry` for an image with a registry host; short names are refused because
    /// `podman auto-update` (and a reproducible pull) needs the registry.
    static func autoUpdatePolicy(image: String) throws -> String {
        guard image.matchesWhole(#"^[a-z0-9][a-z0-9._:/@-]*$"#, caseInsensitive: true) else {
            throw ConfigError("image '\(image)' is not an image reference")
        }
        let first = image.split(separator: "/").first.map(String.init) ?? ""
        if first == "localhost", image.contains("/") { return "local" }
        guard image.contains("/"), first.contains(".") || first.contains(":") else {
            throw ConfigError("image '\(image)' must be fully qualified: registry.example.org/slurmhub:TAG, "
                + "or localhost/slurmhub:TAG for an image built on this host")
        }
        return "registry"
    }

    /// The host directories the hub reads (read-only) and writes (the data directory), without nesting.
    static func mounts(config: HubConfiguration, configPath: String) throws -> [Mount] {
        var files: [(key: String, path: String)] = [("the configuration file", configPath)]
        if config.spawner.kind == .slurm {
            let slurm = config.spawner.slurm
            files += [("spawner.slurm.ssh_key_file", slurm.sshKeyFile), ("spawner.slurm.known_hosts_file", slurm.knownHostsFile),
                      ("spawner.slurm.job_template_file", slurm.jobTemplateFile)]
        }
        files += config.services.map { ("services.\($0.name).api_token_file", $0.apiTokenFile) }
        files.append(("proxy.auth_token_file", config.proxy.authTokenFile))
        files += [("hub.tls.cert_file", config.hub.tls.certFile), ("hub.tls.key_file", config.hub.tls.keyFile),
                  ("hub.api_tls.cert_file", config.hub.apiTLS.certFile), ("hub.api_tls.key_file", config.hub.apiTLS.keyFile),
                  ("hub.api_tls.ca_file", config.hub.apiTLS.caFile)]
        switch config.auth.kind {
        case .dev: files.append(("auth.dev.password_file", config.auth.dev.passwordFile))
        case .oauth: files += [("auth.oauth.client_secret_file", config.auth.oauth.clientSecretFile),
                               ("auth.oauth.tls_ca_file", config.auth.oauth.tlsCAFile)]
        }
        var directories: [(key: String, path: String)] = files.filter { !$0.path.isEmpty }.map {
            ($0.key, ($0.path as NSString).deletingLastPathComponent)
        }
        if !config.ui.templatesDir.isEmpty { directories.append(("ui.templates_dir", config.ui.templatesDir)) }
        for file in files where !file.path.isEmpty { try checkPath(file.path, key: file.key) }
        for directory in directories {
            try checkPath(directory.path, key: directory.key)
            guard normalized(directory.path) != "/" else {
                throw ConfigError("\(directory.key): a file directly in / would mount the host's root into the container")
            }
        }
        try checkPath(config.hub.dataDir, key: "hub.data_dir")

        let dataDir = normalized(config.hub.dataDir)
        var readOnly: [String] = []
        for path in directories.map({ normalized($0.path) }).sorted() {
            guard !contains(dataDir, path), !readOnly.contains(where: { contains($0, path) }) else { continue }
            readOnly.append(path)
        }
        return (readOnly.map { Mount(path: $0, readOnly: true) } + [Mount(path: dataDir, readOnly: false)])
            .sorted { $0.path < $1.path }
    }

    /// Paths go into unit files unquoted (`Volume=`, `--volume`): absolute, and no characters podman or systemd
    /// would read differently.
    static func checkPath(_ path: String, key: String) throws {
        guard path.hasPrefix("/"), path.matchesWhole(#"^[A-Za-z0-9_./@+-]+$"#),
              !path.split(separator: "/").contains("..") else {
            throw ConfigError("\(key) '\(path)': the container needs an absolute path of letters, digits and _ . / @ + -")
        }
    }

    /// `path` without `.` components, repeated or trailing slashes.
    static func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// Whether `directory` is `path` or one of its ancestors.
    static func contains(_ directory: String, _ path: String) -> Bool {
        directory == "/" || path == directory || path.hasPrefix(directory + "/")
    }
}

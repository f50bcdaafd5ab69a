import ArgumentParser
import Foundation
import HubConfig
import HubDeploy
import HubServer

/// `slurmhub generate …`: files derived from the hub's configuration.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate deployment files from the hub's configuration.", subcommands: [SlurmHost.self, Systemd.self, Host.self])
}

/// `slurmhub generate slurm-host --config FILE [--output-dir DIR]`
struct SlurmHost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm-host",
        abstract: "The login node's sudoers and sshd fragments and the hub's SSH settings, for spawner.kind slurm.",
        discussion: """
            Writes sudoers, sshd_config.d/slurmhub.conf and hub-ssh.txt into --output-dir, or prints all three \
            to stdout (each after a "==> NAME <==" line). The sudoers rules are exactly the commands the hub runs.
            """)

    @Option(name: .long, help: "YAML configuration file (SLURMHUB_* variables override it, as for serve).")
    var config: String

    @Option(name: .long, help: "Directory to write the files into (created if missing); default: stdout.")
    var outputDir: String?

    func run() throws {
        let artifacts: SlurmHostArtifacts
        do {
            artifacts = try SlurmHostArtifacts(config: ConfigLoader.load(path: config), source: config)
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        }
        try writeGenerated(artifacts.files.map { ($0.path, $0.text) }, outputDir: outputDir)
    }
}

/// `slurmhub generate systemd --config FILE [--output-dir DIR] [--image IMAGE] [--host-config PATH]`
struct Systemd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "systemd",
        abstract: "The appliance's units for rootless podman: a Quadlet file and an equivalent podman run service.",
        discussion: """
            Writes \(SystemdUnitArtifacts.quadletName) (Quadlet, podman 4.6+) and \(SystemdUnitArtifacts.serviceName) \
            (podman run, podman 4.3+) into --output-dir, or prints both to stdout (each after a "==> NAME <==" line). \
            Both run the same container: the configuration's directories mounted at the same paths (read-only; \
            hub.data_dir read-write), the proxy and hub API ports published, sd_notify readiness and watchdog.
            """)

    @Option(name: .long, help: "YAML configuration file (SLURMHUB_* variables override it, as for serve).")
    var config: String

    @Option(name: .long, help: "Directory to write the files into (created if missing); default: stdout.")
    var outputDir: String?

    @Option(name: .long, help: "Container image, fully qualified (a localhost/ image is auto-updated from local builds).")
    var image = ContainerSpec.defaultImage

    @Option(name: .long, help: "Where the configuration file is on the hub host; default: --config as an absolute path.")
    var hostConfig: String?

    func run() throws {
        var command = "slurmhub generate systemd --config \(config)"
        if let hostConfig { command += " --host-config \(hostConfig)" }
        if image != ContainerSpec.defaultImage { command += " --image \(image)" }
        let artifacts: SystemdUnitArtifacts
        do {
            let path = hostConfig ?? URL(fileURLWithPath: config).standardizedFileURL.path
            artifacts = try SystemdUnitArtifacts(
                config: ConfigLoader.load(path: config), configPath: path, image: image, command: command)
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        }
        try writeGenerated(artifacts.files.map { ($0.path, $0.text) }, outputDir: outputDir)
    }
}

/// `slurmhub generate host --config FILE --external-interface IF --cluster-network CIDR… [--https-port N] [--output-dir DIR]`
struct Host: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The hub host's nftables rules: HTTPS to the proxy, the hub API only from the cluster network.",
        discussion: """
            Writes \(HostFirewall.fileName) into --output-dir, or prints it. The proxy and hub API ports come from \
            hub.public_bind and hub.api_bind; load the file with `nft -f` (host/README.md).
            """)

    @Option(name: .long, help: "YAML configuration file (SLURMHUB_* variables override it, as for serve).")
    var config: String

    @Option(name: .long, help: "The interface browsers come in on.")
    var externalInterface: String

    @Option(name: .long, help: "A network the compute nodes reach the hub from (IPv4 or IPv6 prefix); repeat for more.")
    var clusterNetwork: [String]

    @Option(name: .long, help: "The port browsers use, redirected to the proxy.")
    var httpsPort = 443

    @Option(name: .long, help: "Directory to write the file into (created if missing); default: stdout.")
    var outputDir: String?

    func run() throws {
        var command = "slurmhub generate host --config \(config) --external-interface \(externalInterface)"
        command += clusterNetwork.map { " --cluster-network \($0)" }.joined()
        if httpsPort != 443 { command += " --https-port \(httpsPort)" }
        let firewall: HostFirewall
        do {
            firewall = try HostFirewall(config: ConfigLoader.load(path: config), externalInterface: externalInterface,
                                        clusterNetworks: clusterNetwork, httpsPort: httpsPort)
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        }
        try writeGenerated([(HostFirewall.fileName, firewall.render(command: command))], outputDir: outputDir)
    }
}

/// Writes generated files into `outputDir` (created if missing), or prints them to stdout: one file as it is
/// (so it can be piped, e.g. into `nft -c -f -`), several each after `==> NAME <==`.
func writeGenerated(_ files: [(path: String, text: String)], outputDir: String?) throws {
    guard let outputDir else {
        if files.count == 1 { print(files[0].text, terminator: "") } else {
            print(files.map { "==> \($0.path) <==\n\($0.text)" }.joined(separator: "\n"), terminator: "")
        }
        return
    }
    let directory = URL(fileURLWithPath: outputDir, isDirectory: true)
    for file in files {
        let url = directory.appendingPathComponent(file.path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(file.text.utf8).write(to: url, options: .atomic)
        print("wrote \(url.path)")
    }
}

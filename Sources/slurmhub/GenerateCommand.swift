import ArgumentParser
import Foundation
import HubConfig
import HubServer

/// `slurmhub generate …`: files derived from the hub's configuration.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate deployment files from the hub's configuration.", subcommands: [SlurmHost.self])
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
        guard let outputDir else {
            print(artifacts.files.map { "==> \($0.path) <==\n\($0.text)" }.joined(separator: "\n"), terminator: "")
            return
        }
        let directory = URL(fileURLWithPath: outputDir, isDirectory: true)
        for file in artifacts.files {
            let url = directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: url, options: .atomic)
            print("wrote \(url.path)")
        }
    }
}

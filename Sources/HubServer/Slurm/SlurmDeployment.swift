import Foundation
import HubConfig
import HubModel
import SlurmSpawner
import SSHTransport

/// Everything the Slurm spawner needs, derived from `spawner.slurm.*` in one place: the spawner's
/// configuration, the SSH transport's, and the login-node artifacts generated from the same values
/// (so that sshd's `AcceptEnv`, sudo's `env_keep` and what the hub sends can never disagree).
/// The running hub and the login-node generators (`HubDeploy`) both build from this.
public struct SlurmDeployment: Sendable {
    public let section: SlurmSpawnerSection
    public let spawner: SlurmJobSpawner.Configuration
    public let transport: SSHTransportConfiguration
    /// Variables the hub may send with a command: the job allow-list plus `SLURM_CONF` if configured.
    public let sentNames: [String]

    public init(config: HubConfiguration) throws {
        let slurm = config.spawner.slurm
        section = slurm
        guard let ports = slurm.ports else { throw ConfigError("spawner.slurm.port_range is invalid") }
        var partitions: [SlurmSite.Partition] = []
        for entry in slurm.partitions {
            guard let runtime = try? SlurmQuantities.seconds(runtime: entry.maxRuntime),
                  let memory = SlurmQuantities.memoryMiB(entry.maxMemory) else {
                throw ConfigError("spawner.slurm.partitions: \(entry.name) has an invalid max_runtime or max_memory")
            }
            partitions.append(.init(name: entry.name, description: entry.description, simple: entry.simple,
                                    maxRuntime: runtime, maxCPUs: entry.maxCPUs, maxMemoryMiB: memory,
                                    maxGPUs: entry.maxGPUs, gresTemplate: entry.gres))
        }
        let site = SlurmSite(
            partitions: partitions,
            environments: slurm.environments.map { .init(id: $0.id, description: $0.description, modules: $0.modules, path: $0.path) },
            allowAccountingOptions: slurm.allowAccountingOptions)
        var keepNames = ServerEnvironment.variableNames + slurm.environmentAllow.filter { !ServerEnvironment.variableNames.contains($0) }
        if slurm.tokenInFile { keepNames.removeAll { ["JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN"].contains($0) } }
        let commands = SlurmCommands(
            sudo: slurm.sudo, sbatch: slurm.sbatch, scancel: slurm.scancel, squeue: slurm.squeue, sinfo: slurm.sinfo,
            tail: slurm.tail, install: slurm.install, dd: slurm.dd, slurmConf: slurm.slurmConf.isEmpty ? nil : slurm.slurmConf,
            cluster: slurm.cluster.isEmpty ? nil : slurm.cluster)
        spawner = SlurmJobSpawner.Configuration(
            site: site, commands: commands, homeTemplate: slurm.home, jobName: slurm.jobName, outputTemplate: slurm.output,
            tokenDirectoryTemplate: slurm.tokenInFile ? slurm.tokenDir : nil, keepNames: keepNames, ports: ports,
            serverCommand: slurm.cmd + slurm.args, commandTimeout: .seconds(slurm.commandTimeout),
            startupPollInterval: .milliseconds(Int(slurm.startupPollInterval * 1000)),
            availabilityLifetime: .milliseconds(Int(slurm.sinfoCacheSeconds * 1000)))
        sentNames = keepNames + (commands.slurmConf == nil ? [] : ["SLURM_CONF"])
        transport = SSHTransportConfiguration(
            hosts: slurm.loginNodes.compactMap(LoginNodeAddress.init).map { SSHHost($0.host, port: $0.port) },
            user: slurm.sshUser, privateKeyPath: slurm.sshKeyFile, knownHostsPath: slurm.knownHostsFile,
            allowedEnvironment: Set(sentNames), connectTimeout: .seconds(slurm.connectTimeout),
            keepalive: .seconds(slurm.keepaliveInterval))
    }

    /// The job script template: the site's file, or the shipped one.
    public func jobScript() throws -> JobScript {
        guard !section.jobTemplateFile.isEmpty else { return try JobScript.shipped() }
        do {
            return try JobScript(templateText: String(contentsOfFile: section.jobTemplateFile, encoding: .utf8))
        } catch {
            throw ConfigError("spawner.slurm.job_template_file \(section.jobTemplateFile): \(error)")
        }
    }

    /// Refuses to start without the key and the pinned host keys (clear errors instead of failed spawns later).
    func checkFiles() throws {
        for (key, path) in [("ssh_key_file", section.sshKeyFile), ("known_hosts_file", section.knownHostsFile)]
        where !FileManager.default.isReadableFile(atPath: path) {
            throw ConfigError("spawner.slurm.\(key) \(path) cannot be read")
        }
    }
}

import Foundation
import HubModel

extension ConfigLoader {
    /// Characters allowed in values that end up in job scripts or sudoers rules (paths, module names).
    static let safePath = #"^/[A-Za-z0-9_.,+@%{}/-]*$"#
    static let safeWord = #"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$"#

    /// Checks `spawner.slurm.*` (only when `spawner.kind` is `slurm`).
    static func validateSlurm(_ slurm: SlurmSpawnerSection, extraEnvironment: [String: String]) throws {
        func fail(_ key: String, _ message: String) -> ConfigError { ConfigError("spawner.slurm.\(key) \(message)") }
        func matches(_ text: String, _ pattern: String) -> Bool {
            text.matchesWhole(pattern)
        }
        guard !slurm.loginNodes.isEmpty else { throw fail("login_nodes", "must name at least one login node") }
        for node in slurm.loginNodes where LoginNodeAddress(node) == nil {
            throw fail("login_nodes", "entry '\(node)' is not host or host:port")
        }
        guard matches(slurm.sshUser, #"^[a-z_][a-z0-9_-]{0,31}$"#) else { throw fail("ssh_user", "'\(slurm.sshUser)' is not a user name") }
        for (key, path) in [("ssh_key_file", slurm.sshKeyFile), ("known_hosts_file", slurm.knownHostsFile)]
        where !path.hasPrefix("/") {
            throw fail(key, "must be an absolute path")
        }
        for (key, value) in [("connect_timeout", slurm.connectTimeout), ("keepalive_interval", slurm.keepaliveInterval),
                             ("command_timeout", slurm.commandTimeout), ("startup_poll_interval", slurm.startupPollInterval)]
        where !(value > 0) {
            throw fail(key, "must be greater than 0")
        }
        guard slurm.sinfoCacheSeconds >= 0 else { throw fail("sinfo_cache_seconds", "must not be negative") }
        guard let sudo = slurm.sudo.first, sudo.hasPrefix("/") else {
            throw fail("sudo", "must start with the absolute path of sudo")
        }
        for argument in slurm.sudo where !matches(argument, #"^[A-Za-z0-9_./=-]+$"#) {
            throw fail("sudo", "argument '\(argument)' has characters outside [A-Za-z0-9_./=-]")
        }
        guard matches(slurm.sudoRunasGroup, #"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$"#) else {
            throw fail("sudo_runas_group", "'\(slurm.sudoRunasGroup)' is not a group name")
        }
        for (key, path) in [("sbatch", slurm.sbatch), ("scancel", slurm.scancel), ("squeue", slurm.squeue),
                            ("sinfo", slurm.sinfo), ("tail", slurm.tail), ("install", slurm.install), ("dd", slurm.dd)]
        where !matches(path, #"^/[A-Za-z0-9_./-]+$"#) {
            throw fail(key, "must be an absolute path")
        }
        if !slurm.slurmConf.isEmpty, !matches(slurm.slurmConf, #"^/[A-Za-z0-9_./-]+$"#) {
            throw fail("slurm_conf", "must be an absolute path")
        }
        if !slurm.cluster.isEmpty, !matches(slurm.cluster, safeWord) { throw fail("cluster", "is not a cluster name") }
        guard matches(slurm.jobName, safeWord) else { throw fail("job_name", "may hold only letters, digits, '_', '.', '+', '-'") }
        guard slurm.home.contains("{username}"), matches(slurm.home, safePath), !slurm.home.contains("..") else {
            throw fail("home", "must be an absolute path containing {username}")
        }
        for (key, path) in [("output", slurm.output), ("token_dir", slurm.tokenDir)] {
            guard matches(path.replacingOccurrences(of: "{home}", with: "/h"), safePath), !path.contains("..") else {
                throw fail(key, "must be an absolute path (or start with {home})")
            }
        }
        let escapes = slurm.output.matches(of: /%./).map { String($0.output) }
        if let bad = escapes.first(where: { !["%j", "%u", "%x", "%%"].contains($0) }) {
            throw fail("output", "may use only %j, %u, %x and %% of Slurm's filename patterns, not \(bad)")
        }
        for name in slurm.environmentAllow where !matches(name, #"^[A-Za-z_][A-Za-z0-9_]*$"#) {
            throw fail("environment_allow", "has an invalid variable name '\(name)'")
        }
        for name in extraEnvironment.keys.sorted() where !slurm.environmentAllow.contains(name) {
            throw ConfigError("spawner.environment.\(name) would never reach a job: add it to spawner.slurm.environment_allow")
        }
        guard !slurm.cmd.isEmpty else { throw fail("cmd", "must not be empty") }
        guard slurm.ports != nil else { throw fail("port_range", "'\(slurm.portRange)' must be low-high within 1-65535") }
        if !slurm.jobTemplateFile.isEmpty, !slurm.jobTemplateFile.hasPrefix("/") {
            throw fail("job_template_file", "must be an absolute path")
        }
        try validatePartitions(slurm.partitions)
        var ids: Set<String> = []
        for environment in slurm.environments {
            guard matches(environment.id, safeWord) else { throw fail("environments", "id '\(environment.id)' is not a simple name") }
            guard ids.insert(environment.id).inserted else { throw fail("environments", "id '\(environment.id)' appears twice") }
            for module in environment.modules where !matches(module, #"^[A-Za-z0-9_][A-Za-z0-9_.+/-]*$"#) {
                throw fail("environments", "\(environment.id): module '\(module)' has characters outside [A-Za-z0-9_.+/-]")
            }
            if !environment.path.isEmpty, !matches(environment.path, #"^/[A-Za-z0-9_.+/-]*$"#) || environment.path.contains("..") {
                throw fail("environments", "\(environment.id): path must be an absolute directory")
            }
        }
    }

    static func validatePartitions(_ partitions: [SlurmPartitionSection]) throws {
        func fail(_ message: String) -> ConfigError { ConfigError("spawner.slurm.partitions: \(message)") }
        guard !partitions.isEmpty else { throw fail("at least one partition is required") }
        var names: Set<String> = []
        for partition in partitions {
            let name = partition.name
            guard name.matchesWhole(safeWord) else { throw fail("'\(name)' is not a partition name") }
            guard names.insert(name).inserted else { throw fail("'\(name)' appears twice") }
            guard let runtime = try? SlurmQuantities.seconds(runtime: partition.maxRuntime), runtime > 0 else {
                throw fail("\(name): max_runtime '\(partition.maxRuntime)' must look like [d-]hh[:mm[:ss]]")
            }
            guard let memory = SlurmQuantities.memoryMiB(partition.maxMemory), memory > 0 else {
                throw fail("\(name): max_memory '\(partition.maxMemory)' must be a size such as 64G")
            }
            guard partition.maxCPUs >= 1 else { throw fail("\(name): max_cpus must be at least 1") }
            guard partition.maxGPUs >= 0 else { throw fail("\(name): max_gpus must not be negative") }
            guard partition.gres.contains("{}"),
                  partition.gres.matchesWhole(#"^[A-Za-z0-9_:{}.-]+$"#) else {
                throw fail("\(name): gres must look like gpu:{} (with {} for the count)")
            }
        }
    }
}

/// A login node: `host` or `host:port` (default 22); `[v6]:port` for IPv6 literals.
public struct LoginNodeAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        if let address = ListenAddress(text), !text.hasPrefix(":") {
            host = address.host
            port = address.port
        } else {
            host = text
            port = 22
        }
        guard port > 0, host.matchesWhole(#"^[A-Za-z0-9_.:-]+$"#) else { return nil }
    }
}

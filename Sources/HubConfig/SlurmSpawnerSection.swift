import Foundation

/// `spawner.slurm.*`: how the hub reaches the cluster and what users may ask of it.
public struct SlurmSpawnerSection: Sendable, Codable, Equatable {
    /// Login nodes as `host` or `host:port`, tried in order (failover).
    public var loginNodes: [String]
    public var sshUser: String
    public var sshKeyFile: String
    public var knownHostsFile: String
    public var connectTimeout: Double
    public var keepaliveInterval: Double
    public var commandTimeout: Double
    /// Prefix that runs a command as the user; the user name follows it.
    public var sudo: [String]
    /// Unix group whose members the hub may act as (sudoers `Runas`); root is always excluded.
    public var sudoRunasGroup: String
    public var sbatch: String
    public var scancel: String
    public var squeue: String
    public var sinfo: String
    public var tail: String
    public var install: String
    public var dd: String
    public var slurmConf: String
    public var cluster: String
    public var jobName: String
    public var home: String
    public var output: String
    public var environmentAllow: [String]
    public var tokenDelivery: TokenDelivery
    public var tokenDir: String
    public var jobTemplateFile: String
    public var cmd: [String]
    public var args: [String]
    public var portRange: String
    public var startupPollInterval: Double
    /// Seconds an `sinfo` answer is reused.
    public var sinfoCacheSeconds: Double
    public var allowAccountingOptions: Bool
    public var partitions: [SlurmPartitionSection]
    public var environments: [SlurmEnvironmentSection]

    enum CodingKeys: String, CodingKey {
        case loginNodes = "login_nodes", sshUser = "ssh_user", sshKeyFile = "ssh_key_file"
        case knownHostsFile = "known_hosts_file", connectTimeout = "connect_timeout"
        case keepaliveInterval = "keepalive_interval", commandTimeout = "command_timeout"
        case sudo, sudoRunasGroup = "sudo_runas_group", sbatch, scancel, squeue, sinfo, tail, install, dd
        case slurmConf = "slurm_conf", cluster
        case jobName = "job_name", home, output, environmentAllow = "environment_allow"
        case tokenDelivery = "token_delivery", tokenDir = "token_dir", jobTemplateFile = "job_template_file"
        case cmd, args, portRange = "port_range", startupPollInterval = "startup_poll_interval"
        case sinfoCacheSeconds = "sinfo_cache_seconds"
        case allowAccountingOptions = "allow_accounting_options", partitions, environments
    }

    /// `port_range` parsed as `low-high`.
    public var ports: ClosedRange<Int>? { PortRange.parse(portRange) }

    /// Whether the API token travels as a 0600 file instead of in the job's environment.
    public var tokenInFile: Bool { tokenDelivery == .file }
}

/// One entry of `spawner.slurm.partitions`.
public struct SlurmPartitionSection: Sendable, Codable, Equatable {
    public var name: String
    public var description: String
    /// Offered on the simple tab of the spawn form.
    public var simple: Bool
    /// `[d-]hh[:mm[:ss]]`.
    public var maxRuntime: String
    public var maxCPUs: Int
    /// A size such as `64G`.
    public var maxMemory: String
    public var maxGPUs: Int
    /// `--gres` with `{}` for the GPU count.
    public var gres: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, simple, maxRuntime = "max_runtime", maxCPUs = "max_cpus", maxMemory = "max_memory"
        case maxGPUs = "max_gpus", gres
    }

    public init(from decoder: any Decoder) throws {
        try UnknownKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue), in: "spawner.slurm.partitions")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        simple = try container.decodeIfPresent(Bool.self, forKey: .simple) ?? false
        maxRuntime = try container.decodeIfPresent(String.self, forKey: .maxRuntime) ?? "12:00:00"
        maxCPUs = try container.decodeIfPresent(Int.self, forKey: .maxCPUs) ?? 1
        maxMemory = try container.decodeIfPresent(String.self, forKey: .maxMemory) ?? "4G"
        maxGPUs = try container.decodeIfPresent(Int.self, forKey: .maxGPUs) ?? 0
        gres = try container.decodeIfPresent(String.self, forKey: .gres) ?? "gpu:{}"
    }
}

/// One entry of `spawner.slurm.environments`.
public struct SlurmEnvironmentSection: Sendable, Codable, Equatable {
    public var id: String
    public var description: String
    public var modules: [String]
    /// Directory prepended to `PATH` (a venv's `bin`), or empty.
    public var path: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, description, modules, path
    }

    public init(from decoder: any Decoder) throws {
        try UnknownKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue), in: "spawner.slurm.environments")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        modules = try container.decodeIfPresent([String].self, forKey: .modules) ?? []
        path = try container.decodeIfPresent(String.self, forKey: .path) ?? ""
    }
}

/// `low-high` port ranges.
public enum PortRange {
    public static func parse(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1], parts[1] <= 65535 else { return nil }
        return parts[0]...parts[1]
    }
}

/// Refuses keys a list entry does not have (the loader checks only mappings of the defaults).
enum UnknownKeys {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func check(_ decoder: any Decoder, allowed: [String], in list: String) throws {
        let keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ConfigError("unknown config key '\(list)[].\(unknown)' (known: \(allowed.joined(separator: ", ")))")
        }
    }
}

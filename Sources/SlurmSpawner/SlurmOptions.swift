import HubModel

/// A refused user option: the field it concerns and why (shown next to the field, or as a 400).
public struct OptionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String
    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

/// User options after validation: every value here is safe to put into a job script.
public struct SlurmOptions: Sendable, Equatable {
    public var partition: String
    public var cpus: Int
    /// MiB; nil leaves Slurm's default.
    public var memoryMiB: Int?
    public var gpus: Int
    /// Seconds.
    public var runtime: Int
    public var environment: SlurmSite.Environment
    public var reservation: String?
    public var account: String?
    public var qos: String?
    /// Keep the job's output in `slurm-<jobid>.out` in the home directory (else `/dev/null`).
    public var keepOutput: Bool
    public var defaultURL: String?

    /// Slurm's `--time` form: `D-HH:MM:SS`.
    public var timeLimit: String { Self.format(runtime) }

    /// Validates raw options (from the form, the URL or the REST body) against the site.
    ///
    /// Values may be strings or numbers. Unknown keys are refused, so nothing unexpected reaches a script.
    public static func validate(_ raw: [String: JSONValue], site: SlurmSite) throws -> SlurmOptions {
        let known: Set<String> = ["partition", "cpus", "nprocs", "memory", "mem", "gpus", "ngpus", "runtime",
                                  "environment", "environment_id", "reservation", "account", "qos", "output", "default_url"]
        if let unknown = raw.keys.sorted().first(where: { !known.contains($0) }) {
            throw OptionError(field: unknown, "is not an option this hub accepts")
        }
        var values: [String: String] = [:]
        for (key, value) in raw {
            let text: String
            switch value {
            case .string(let string): text = string.trimmingCharacters(in: .whitespaces)
            case .number: text = value.intValue.map(String.init) ?? "\(value)"
            case .bool(let flag): text = flag ? "true" : "false"
            case .null: continue
            default: throw OptionError(field: key, "must be a single value")
            }
            guard !text.contains(where: { $0.isNewline || $0 == "\0" }), text.utf8.count <= 256 else {
                throw OptionError(field: key, "must be one line of at most 256 characters")
            }
            values[key] = text
        }
        func first(_ keys: String...) -> String? {
            keys.lazy.compactMap { values[$0] }.first { !$0.isEmpty }
        }

        guard let partitionName = first("partition") else { throw OptionError(field: "partition", "is required") }
        guard let partition = site.partitions[partitionName] else {
            throw OptionError(field: "partition", "unknown partition (available: \(site.partitions.keys.sorted().joined(separator: ", ")))")
        }
        let cpus = try integer(first("cpus", "nprocs"), field: "cpus", default: 1, range: 1...partition.maxCPUs)
        let gpus = try integer(first("gpus", "ngpus"), field: "gpus", default: 0, range: 0...partition.maxGPUs)
        var memory: Int?
        if let text = first("memory", "mem") {
            let mib = try parseMemory(text)
            guard mib >= 1, mib <= partition.maxMemoryMiB else {
                throw OptionError(field: "memory", "must be between 1M and \(partition.maxMemoryMiB)M on \(partition.name)")
            }
            memory = mib
        }
        var runtime = min(3600, partition.maxRuntime)
        if let text = first("runtime") {
            runtime = try parseRuntime(text)
            guard runtime > 0, runtime <= partition.maxRuntime else {
                throw OptionError(field: "runtime", "must be at most \(format(partition.maxRuntime)) on \(partition.name)")
            }
        }
        let environment: SlurmSite.Environment
        if let id = first("environment", "environment_id") {
            guard let known = site.environments[id] else {
                throw OptionError(field: "environment", "unknown environment (available: \(site.environments.keys.sorted().joined(separator: ", ")))")
            }
            environment = known
        } else if site.environments.count == 1, let only = site.environments.values.first {
            environment = only
        } else if site.environments.isEmpty {
            environment = SlurmSite.Environment(id: "default")
        } else {
            throw OptionError(field: "environment", "is required")
        }
        var accounting: [String: String] = [:]
        for field in ["reservation", "account", "qos"] {
            guard let text = first(field) else { continue }
            guard site.allowAccountingOptions else { throw OptionError(field: field, "is not allowed on this hub") }
            guard text.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$"#, options: .regularExpression) != nil else {
                throw OptionError(field: field, "may hold only letters, digits, '_', '.', '+' and '-'")
            }
            accounting[field] = text
        }
        var defaultURL: String?
        if let text = first("default_url") {
            guard text.range(of: #"^/[A-Za-z0-9_./~-]*$"#, options: .regularExpression) != nil, !text.contains("..") else {
                throw OptionError(field: "default_url", "must be a path such as /lab")
            }
            defaultURL = text
        }
        let output = first("output") ?? "false"
        guard ["true", "false", "on", "off", "1", "0"].contains(output) else {
            throw OptionError(field: "output", "must be true or false")
        }
        return SlurmOptions(
            partition: partition.name, cpus: cpus, memoryMiB: memory, gpus: gpus, runtime: runtime,
            environment: environment, reservation: accounting["reservation"], account: accounting["account"],
            qos: accounting["qos"], keepOutput: ["true", "on", "1"].contains(output), defaultURL: defaultURL)
    }

    static func integer(_ text: String?, field: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), text.allSatisfy(\.isASCII) else { throw OptionError(field: field, "must be a whole number") }
        guard range.contains(number) else {
            throw OptionError(field: field, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    /// `512`, `512M`, `4G`, `1T` (no unit: MiB, as Slurm reads it).
    static func parseMemory(_ text: String) throws -> Int {
        guard let match = text.wholeMatch(of: /([0-9]{1,9})([KMGTkmgt]?)/), let number = Int(match.1) else {
            throw OptionError(field: "memory", "must be a size such as 4096M or 16G")
        }
        switch match.2.uppercased() {
        case "K": return (number + 1023) / 1024
        case "G": return number * 1024
        case "T": return number * 1024 * 1024
        default: return number
        }
    }

    /// `[d-]hh[:mm[:ss]]`, e.g. `2`, `02:30`, `1-12:00:00`.
    static func parseRuntime(_ text: String) throws -> Int {
        guard let match = text.wholeMatch(of: /(?:([0-9]{1,3})-)?([0-9]{1,2})(?::([0-9]{2}))?(?::([0-9]{2}))?/) else {
            throw OptionError(field: "runtime", "must look like [d-]hh[:mm[:ss]], e.g. 02:30 or 1-12:00:00")
        }
        let days = match.1.flatMap { Int($0) } ?? 0
        let hours = Int(match.2) ?? 0
        let minutes = match.3.flatMap { Int($0) } ?? 0
        let seconds = match.4.flatMap { Int($0) } ?? 0
        guard minutes < 60, seconds < 60 else {
            throw OptionError(field: "runtime", "minutes and seconds must be below 60")
        }
        return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    }

    /// Seconds as `[D-]HH:MM:SS`.
    static func format(_ total: Int) -> String {
        let days = total / 86400, hours = total / 3600 % 24, minutes = total / 60 % 60, seconds = total % 60
        let clock = [hours, minutes, seconds].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
        return days > 0 ? "\(days)-\(clock)" : clock
    }
}

import Foundation
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
    public var defaultURL: String?

    /// Slurm's `--time` form: `D-HH:MM:SS`.
    public var timeLimit: String { Self.format(runtime) }

    /// Validates raw options (from the form, the URL or the REST body) against the site.
    ///
    /// Values may be strings or numbers. Unknown keys are refused, so nothing unexpected reaches a script.
    public static func validate(_ raw: [String: JSONValue], site: SlurmSite) throws -> SlurmOptions {
        let known: Set<String> = ["partition", "cpus", "nprocs", "memory", "mem", "gpus", "ngpus", "runtime",
                                  "environment", "environment_id", "reservation", "account", "qos", "default_url"]
        if let unknown = raw.keys.sorted().first(where: { !known.contains($0) }) {
            throw OptionError(field: unknown, "is not an option this hub accepts")
        }
        var values: [String: String] = [:]
        for (key, value) in raw {
            let text: String
            switch value {
            case .string(let string): text = string.trimmingCharacters(in: .spaceAndTab)
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

        guard let partitionName = first("partition") ?? site.defaultPartition else {
            throw OptionError(field: "partition", "is required")
        }
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
        if let id = first("environment", "environment_id") ?? site.defaultEnvironment {
            guard let known = site.environments[id] else {
                throw OptionError(field: "environment", "unknown environment (available: \(site.environments.keys.sorted().joined(separator: ", ")))")
            }
            environment = known
        } else {
            environment = SlurmSite.Environment(id: "default")
        }
        var accounting: [String: String] = [:]
        for field in ["reservation", "account", "qos"] {
            guard let text = first(field) else { continue }
            guard site.allowAccountingOptions else { throw OptionError(field: field, "is not allowed on this hub") }
            guard text.matchesWhole(#"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$"#) else {
                throw OptionError(field: field, "may hold only letters, digits, '_', '.', '+' and '-'")
            }
            accounting[field] = text
        }
        var defaultURL: String?
        if let text = first("default_url") {
            guard text.matchesWhole(#"^/[A-Za-z0-9_./~-]*$"#), !text.contains("..") else {
                throw OptionError(field: "default_url", "must be a path such as /lab")
            }
            defaultURL = text
        }
        return SlurmOptions(
            partition: partition.name, cpus: cpus, memoryMiB: memory, gpus: gpus, runtime: runtime,
            environment: environment, reservation: accounting["reservation"], account: accounting["account"],
            qos: accounting["qos"], defaultURL: defaultURL)
    }

    static func integer(_ text: String?, field: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), text.allSatisfy(\.isASCII) else { throw OptionError(field: field, "must be a whole number") }
        guard range.contains(number) else {
            throw OptionError(field: field, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    static func parseMemory(_ text: String) throws -> Int {
        guard let mib = SlurmQuantities.memoryMiB(text) else {
            throw OptionError(field: "memory", "must be a size such as 4096M or 16G")
        }
        return mib
    }

    static func parseRuntime(_ text: String) throws -> Int {
        do {
            return try SlurmQuantities.seconds(runtime: text)
        } catch .malformed {
            throw OptionError(field: "runtime", "must look like [d-]hh[:mm[:ss]], e.g. 02:30 or 1-12:00:00")
        } catch .minutesOrSecondsTooLarge {
            throw OptionError(field: "runtime", "minutes and seconds must be below 60")
        }
    }

    static func format(_ total: Int) -> String { SlurmQuantities.runtime(seconds: total) }
}

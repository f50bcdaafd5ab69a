/// What a site offers: partitions with their limits and software environments.
/// User options are validated against this before anything reaches a job script.
public struct SlurmSite: Sendable, Equatable {
    /// One partition and the most a user may ask of it.
    public struct Partition: Sendable, Equatable {
        public var name: String
        public var description: String
        /// Shown on the simple tab of the spawn form.
        public var simple: Bool
        /// Longest runtime, in seconds.
        public var maxRuntime: Int
        public var maxCPUs: Int
        /// Largest memory request, in MiB.
        public var maxMemoryMiB: Int
        public var maxGPUs: Int
        /// `--gres` value with `{}` for the GPU count, e.g. `gpu:{}` or `gpu:a100:{}`.
        public var gresTemplate: String

        public init(name: String, description: String = "", simple: Bool = false, maxRuntime: Int,
                    maxCPUs: Int, maxMemoryMiB: Int, maxGPUs: Int = 0, gresTemplate: String = "gpu:{}") {
            self.name = name
            self.description = description
            self.simple = simple
            self.maxRuntime = maxRuntime
            self.maxCPUs = maxCPUs
            self.maxMemoryMiB = maxMemoryMiB
            self.maxGPUs = maxGPUs
            self.gresTemplate = gresTemplate
        }
    }

    /// A software environment the job loads before starting the server.
    public struct Environment: Sendable, Equatable {
        public var id: String
        public var description: String
        /// `module load` arguments, in order.
        public var modules: [String]
        /// A directory prepended to `PATH` (a venv's `bin/`), or empty.
        public var path: String

        public init(id: String, description: String = "", modules: [String] = [], path: String = "") {
            self.id = id
            self.description = description
            self.modules = modules
            self.path = path
        }
    }

    public var partitions: [String: Partition]
    public var environments: [String: Environment]
    /// Partition names and environment ids in configured order (the spawn form lists them so).
    public var partitionOrder: [String]
    public var environmentOrder: [String]
    /// Used when the options name none: the first configured partition and environment.
    public var defaultPartition: String?
    public var defaultEnvironment: String?
    /// Whether users may pass reservation/account/qos.
    public var allowAccountingOptions: Bool

    public init(partitions: [Partition], environments: [Environment], allowAccountingOptions: Bool = true) {
        self.partitions = Dictionary(partitions.map { ($0.name, $0) }) { first, _ in first }
        self.environments = Dictionary(environments.map { ($0.id, $0) }) { first, _ in first }
        self.allowAccountingOptions = allowAccountingOptions
        self.partitionOrder = partitions.map(\.name).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        self.environmentOrder = environments.map(\.id).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        self.defaultPartition = partitions.first?.name
        self.defaultEnvironment = environments.first?.id
    }
}

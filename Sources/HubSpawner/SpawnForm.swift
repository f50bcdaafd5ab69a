/// What a spawner offers on the spawn form: partitions with their limits, software environments,
/// and the scheduler's current availability. A plain model; the hub renders it.
public struct SpawnForm: Sendable, Equatable {
    /// One partition and the most a user may ask of it.
    public struct Partition: Sendable, Equatable {
        public var name: String
        public var description: String
        /// Offered on the simple tab.
        public var simple: Bool
        public var maxCPUs: Int
        /// MiB.
        public var maxMemoryMiB: Int
        public var maxGPUs: Int
        /// Seconds.
        public var maxRuntime: Int

        public init(name: String, description: String = "", simple: Bool = false, maxCPUs: Int, maxMemoryMiB: Int,
                    maxGPUs: Int = 0, maxRuntime: Int) {
            self.name = name
            self.description = description
            self.simple = simple
            self.maxCPUs = maxCPUs
            self.maxMemoryMiB = maxMemoryMiB
            self.maxGPUs = maxGPUs
            self.maxRuntime = maxRuntime
        }
    }

    /// A software environment the server can start in.
    public struct Environment: Sendable, Equatable {
        public var id: String
        public var description: String

        public init(id: String, description: String = "") {
            self.id = id
            self.description = description
        }
    }

    /// Idle and total nodes and cores of one partition, as the scheduler reports them.
    public struct Availability: Sendable, Equatable {
        public var partition: String
        /// The scheduler's word for the partition's state (`up`, `down`, `drain`, `inact`).
        public var state: String
        public var idleNodes: Int
        public var totalNodes: Int
        public var idleCPUs: Int
        public var totalCPUs: Int

        public init(partition: String, state: String, idleNodes: Int, totalNodes: Int, idleCPUs: Int, totalCPUs: Int) {
            self.partition = partition
            self.state = state
            self.idleNodes = idleNodes
            self.totalNodes = totalNodes
            self.idleCPUs = idleCPUs
            self.totalCPUs = totalCPUs
        }
    }

    /// In configured order; the first is the default.
    public var partitions: [Partition]
    /// In configured order; the first is the default. Empty: no environment choice.
    public var environments: [Environment]
    /// Whether `reservation`, `account` and `qos` may be given.
    public var allowAccountingOptions: Bool
    /// Per partition; nil when unknown (the scheduler did not answer in time).
    public var availability: [Availability]?

    public init(partitions: [Partition], environments: [Environment], allowAccountingOptions: Bool,
                availability: [Availability]?) {
        self.partitions = partitions
        self.environments = environments
        self.allowAccountingOptions = allowAccountingOptions
        self.availability = availability
    }
}

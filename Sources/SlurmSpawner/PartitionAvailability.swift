import Foundation

/// What `sinfo` says about one partition: whether it is up and how many CPUs are idle.
public struct PartitionAvailability: Sendable, Equatable {
    public var partition: String
    /// Slurm's availability, `up`, `down`, `drain` or `inact`.
    public var state: String
    public var nodes: Int
    public var idleCPUs: Int
    public var totalCPUs: Int

    public init(partition: String, state: String, nodes: Int, idleCPUs: Int, totalCPUs: Int) {
        self.partition = partition
        self.state = state
        self.nodes = nodes
        self.idleCPUs = idleCPUs
        self.totalCPUs = totalCPUs
    }

    /// Parses `sinfo --noheader --format=%R|%a|%D|%C` (`%C` is allocated/idle/other/total).
    public static func parse(_ output: String) -> [String: PartitionAvailability] {
        var result: [String: PartitionAvailability] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, let nodes = Int(fields[2]) else { continue }
            let cpus = fields[3].split(separator: "/").compactMap { Int($0) }
            guard cpus.count == 4 else { continue }
            var entry = result[fields[0]] ?? PartitionAvailability(partition: fields[0], state: fields[1], nodes: 0,
                                                                   idleCPUs: 0, totalCPUs: 0)
            entry.nodes += nodes
            entry.idleCPUs += cpus[1]
            entry.totalCPUs += cpus[3]
            result[fields[0]] = entry
        }
        return result
    }

    /// For progress messages: `partition debug is up, 0 of 8 CPUs idle`.
    public var summary: String { "partition \(partition) is \(state), \(idleCPUs) of \(totalCPUs) CPUs idle" }
}

/// Caches `sinfo` answers so that a burst of spawns asks the controller once (batchspawner #96).
actor AvailabilityCache {
    private var cached: (at: ContinuousClock.Instant, value: [String: PartitionAvailability])?
    private let lifetime: Duration

    init(lifetime: Duration) { self.lifetime = lifetime }

    func value(refresh: @Sendable () async throws -> [String: PartitionAvailability]) async throws -> [String: PartitionAvailability] {
        if let cached, ContinuousClock.now - cached.at < lifetime { return cached.value }
        let fresh = try await refresh()
        cached = (.now, fresh)
        return fresh
    }
}

import Foundation

/// What `sinfo` says about one partition: whether it is up and how many nodes and CPUs are idle.
public struct PartitionAvailability: Sendable, Equatable {
    public var partition: String
    /// Slurm's availability, `up`, `down`, `drain` or `inact`.
    public var state: String
    /// Total nodes.
    public var nodes: Int
    /// Idle nodes (0 when the output did not say).
    public var idleNodes: Int
    public var idleCPUs: Int
    public var totalCPUs: Int

    public init(partition: String, state: String, nodes: Int, idleNodes: Int = 0, idleCPUs: Int, totalCPUs: Int) {
        self.partition = partition
        self.state = state
        self.nodes = nodes
        self.idleNodes = idleNodes
        self.idleCPUs = idleCPUs
        self.totalCPUs = totalCPUs
    }

    /// Parses `sinfo --noheader --format=%R|%a|%F|%C` (`%F` and `%C` are allocated/idle/other/total nodes
    /// and CPUs; a plain node count, `%D`, is read too).
    public static func parse(_ output: String) -> [String: PartitionAvailability] {
        var result: [String: PartitionAvailability] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { continue }
            let nodeCounts = fields[2].split(separator: "/").compactMap { Int($0) }
            let cpus = fields[3].split(separator: "/").compactMap { Int($0) }
            guard cpus.count == 4, nodeCounts.count == 4 || (nodeCounts.count == 1 && !fields[2].contains("/")) else {
                continue
            }
            var entry = result[fields[0]] ?? PartitionAvailability(partition: fields[0], state: fields[1], nodes: 0,
                                                                   idleCPUs: 0, totalCPUs: 0)
            entry.nodes += nodeCounts.count == 4 ? nodeCounts[3] : nodeCounts[0]
            entry.idleNodes += nodeCounts.count == 4 ? nodeCounts[1] : 0
            entry.idleCPUs += cpus[1]
            entry.totalCPUs += cpus[3]
            result[fields[0]] = entry
        }
        return result
    }

    /// For progress messages: `partition debug is up, 0 of 8 CPUs idle`.
    public var summary: String { "partition \(partition) is \(state), \(idleCPUs) of \(totalCPUs) CPUs idle" }
}

/// Caches `sinfo` answers so that a burst of spawns and form views asks the controller once
/// (batchspawner #96): one query at a time, its answer kept for `lifetime`.
actor AvailabilityCache {
    typealias Value = [String: PartitionAvailability]
    private var cached: (at: ContinuousClock.Instant, value: Value)?
    private var inFlight: Task<Value, any Error>?
    /// How long answers are kept, as currently configured (a reload applies to the cached answer too).
    private let lifetime: @Sendable () -> Duration

    init(lifetime: @escaping @Sendable () -> Duration) { self.lifetime = lifetime }

    private var fresh: Value? {
        guard let cached, ContinuousClock.now - cached.at < lifetime() else { return nil }
        return cached.value
    }

    /// The running query, or a new one; its answer lands in the cache even if nobody waits for it any more.
    private func query(_ refresh: @escaping @Sendable () async throws -> Value) -> Task<Value, any Error> {
        if let inFlight { return inFlight }
        let task = Task {
            do {
                let value = try await refresh()
                self.finished(value)
                return value
            } catch {
                self.finished(nil)
                throw error
            }
        }
        inFlight = task
        return task
    }

    private func finished(_ value: Value?) {
        if let value { cached = (.now, value) }
        inFlight = nil
    }

    /// The cached answer, or a fresh one (waiting for it as long as it takes).
    func value(refresh: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let fresh { return fresh }
        return try await query(refresh).value
    }

    /// The cached answer, or a fresh one if it arrives within `limit`; nil otherwise (the query goes on
    /// and fills the cache for the next caller). A failed query also gives nil.
    func value(within limit: Duration, refresh: @escaping @Sendable () async throws -> Value) async -> Value? {
        if let fresh { return fresh }
        let task = query(refresh)
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let fresh { return fresh }
            // The query ended without an answer in the cache: it failed.
            if inFlight != task { return try? await task.value }
            do { try await Task.sleep(for: .milliseconds(25)) } catch { return nil }
        }
        return fresh
    }
}

import HubSpawner

extension SlurmJobSpawner {
    /// The longest the spawn form waits for `sinfo`; past it the form shows availability as unknown
    /// (the query goes on and fills the cache for the next view).
    static let formAvailabilityWait: Duration = .seconds(2)

    /// Always: the site's partitions are the form.
    public var hasOptionsForm: Bool { true }

    /// The site's partitions and environments in configured order, with the cached `sinfo` availability.
    public func optionsForm() async -> SpawnForm? {
        let site = configuration.site
        let partitions = site.partitionOrder.compactMap { site.partitions[$0] }.map { partition in
            SpawnForm.Partition(name: partition.name, description: partition.description, simple: partition.simple,
                                maxCPUs: partition.maxCPUs, maxMemoryMiB: partition.maxMemoryMiB,
                                maxGPUs: partition.maxGPUs, maxRuntime: partition.maxRuntime)
        }
        let environments = site.environmentOrder.compactMap { site.environments[$0] }.map {
            SpawnForm.Environment(id: $0.id, description: $0.description)
        }
        let availability = await availabilityCache.value(within: Self.formAvailabilityWait) {
            try await self.queryAvailability()
        }
        return SpawnForm(
            partitions: partitions, environments: environments, allowAccountingOptions: site.allowAccountingOptions,
            availability: availability.map { states in
                partitions.compactMap { states[$0.name] }.map {
                    SpawnForm.Availability(partition: $0.partition, state: $0.state, idleNodes: $0.idleNodes,
                                           totalNodes: $0.nodes, idleCPUs: $0.idleCPUs, totalCPUs: $0.totalCPUs)
                }
            })
    }
}

/// The port a batch job reports back to the hub (`POST /hub/api/batchspawner`), awaited by the spawner.
///
/// Only the port is taken from the job; the host always comes from the scheduler.
public actor PortReport {
    private var port: Int?

    public init() {}

    /// Records the reported port (the first valid report wins; later ones are ignored).
    public func report(_ port: Int) -> Bool {
        guard self.port == nil, (1...65535).contains(port) else { return false }
        self.port = port
        return true
    }

    /// Waits until a port is reported, checking every `interval`; returns nil when `stillWaiting`
    /// says to give up (the job died, say) or the task is cancelled.
    public func wait(interval: Duration = .milliseconds(200),
                     stillWaiting: @Sendable () async -> Bool) async -> Int? {
        while !Task.isCancelled {
            if let port { return port }
            guard await stillWaiting() else { return port }
            try? await Task.sleep(for: interval)
        }
        return nil
    }
}

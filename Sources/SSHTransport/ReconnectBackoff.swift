/// Exponential backoff between reconnection attempts to one login node.
struct ReconnectBackoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private var current: Duration?

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay to wait after one more failure: `initial`, then doubling, capped at `maximum`.
    mutating func nextDelay() -> Duration {
        let delay = current.map { min($0 * 2, maximum) } ?? initial
        current = delay
        return delay
    }

    /// Forgets past failures after a successful connection.
    mutating func reset() {
        current = nil
    }
}

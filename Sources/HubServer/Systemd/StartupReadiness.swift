/// Collects the start-up steps that must be done before the hub tells the service manager it is ready:
/// every listener bound (proxy, hub API, route API) and the servers of the previous run restored.
///
/// Each step reports itself once with ``done(_:)``; ``waitUntilReady()`` returns when all have.
actor StartupReadiness {
    /// One start-up step.
    enum Step: String, Sendable, CaseIterable, Comparable {
        case proxy, hubAPI = "hub API", routeAPI = "route API", redirect = "HTTPS redirect", restore

        static func < (lhs: Step, rhs: Step) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private var pending: Set<Step>
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    /// - Parameter steps: the steps this run has (without a route API, no `.routeAPI`).
    init(steps: Set<Step>) {
        pending = steps
    }

    /// Marks a step as done; the last one releases the waiters.
    func done(_ step: Step) {
        pending.remove(step)
        guard pending.isEmpty else { return }
        let released = waiters.values
        waiters = [:]
        for waiter in released { waiter.resume() }
    }

    /// Whether every step is done.
    var isReady: Bool { pending.isEmpty }

    /// The steps still outstanding.
    var outstanding: [Step] { pending.sorted() }

    /// Returns once every step is done (at once if they all are), or when the calling task is cancelled;
    /// check ``isReady`` afterwards to tell the two apart.
    func waitUntilReady() async {
        if pending.isEmpty { return }
        let id = nextWaiter
        nextWaiter += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if pending.isEmpty || Task.isCancelled {
                    continuation.resume()
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.release(id) }
        }
    }

    private func release(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }
}

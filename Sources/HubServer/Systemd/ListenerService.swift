import ServiceLifecycle

/// A listener (the proxy or the route API) as a service: binds, reports the bound step to the start-up readiness,
/// serves until graceful shutdown, then closes the socket and its connections.
struct ListenerService: Service {
    let step: StartupReadiness.Step
    let readiness: StartupReadiness
    /// Binds the listening socket (returns once it is bound).
    let start: @Sendable () async throws -> Void
    /// Closes the listening socket and every open connection.
    let shutdown: @Sendable () async -> Void

    func run() async throws {
        try await start()
        await readiness.done(step)
        // Returns on graceful shutdown, throws on cancellation: close either way.
        try? await gracefulShutdown()
        await shutdown()
    }
}

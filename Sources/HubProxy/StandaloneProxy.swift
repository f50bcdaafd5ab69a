import Logging
import NIOCore
import NIOPosix

/// The proxy and its route API run together as one process (`slurmhub proxy`), a drop-in
/// replacement for an external configurable-http-proxy.
public struct StandaloneProxy: Sendable {
    /// The shared route table (exposed so an embedding process can pre-populate it).
    public let routes: InProcessRouteTable
    private let publicHost: String
    private let publicPort: Int
    private let apiHost: String
    private let apiPort: Int
    private let authToken: String
    private let errorTarget: String?
    private let tls: TLSCertificateStore?
    private let hostRouting: Bool
    private let logger: Logger

    /// Configures the public proxy listener and the API listener.
    public init(
        publicHost: String,
        publicPort: Int,
        apiHost: String,
        apiPort: Int,
        authToken: String,
        errorTarget: String? = nil,
        tls: TLSCertificateStore? = nil,
        hostRouting: Bool = false,
        logger: Logger = Logger(label: "slurmhub.proxy")
    ) {
        self.tls = tls
        self.hostRouting = hostRouting
        self.routes = InProcessRouteTable()
        self.publicHost = publicHost
        self.publicPort = publicPort
        self.apiHost = apiHost
        self.apiPort = apiPort
        self.authToken = authToken
        self.errorTarget = errorTarget
        self.logger = logger
    }

    /// Serves both listeners on a dedicated event loop group (one thread per core) until the
    /// task is cancelled, then closes all connections and shuts the group down.
    public func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let proxy = ProxyServer(
            routes: routes,
            configuration: .init(host: publicHost, port: publicPort, errorTarget: errorTarget, tls: tls,
                                 hostRouting: hostRouting),
            eventLoopGroup: group, logger: logger)
        let api = RouteAPIServer(
            routes: routes, host: apiHost, port: apiPort, authToken: authToken,
            eventLoopGroup: group, logger: logger)
        do {
            _ = try await proxy.start()
            _ = try await api.start()
            await waitForCancellation()
        } catch {
            await api.shutdown()
            await proxy.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        await api.shutdown()
        await proxy.shutdown()
        try await group.shutdownGracefully()
    }
}

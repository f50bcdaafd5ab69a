import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A configurable-http-proxy–compatible REST API over an ``InProcessRouteTable``:
/// `GET/POST/DELETE /api/routes[/<path>]` (token auth) and `GET /_chp_healthz`.
public final class RouteAPIServer: Sendable {
    private let router: RouteAPIRouter
    private let host: String
    private let port: Int
    private let maxBodySize: Int
    private let group: any EventLoopGroup
    private let logger: Logger
    private let registry = ChannelRegistry()

    /// Creates the API server; nothing is bound until ``start()`` or ``run()``.
    ///
    /// - Parameters:
    ///   - routes: the table the API manages.
    ///   - host: address to listen on (normally `"127.0.0.1"`).
    ///   - port: port to listen on (`0` picks a free port).
    ///   - authToken: the `CONFIGPROXY_AUTH_TOKEN`; requests need `Authorization: token <authToken>`.
    ///   - maxBodySize: largest accepted request body in bytes (larger bodies get 413).
    ///   - eventLoopGroup: the event loops to serve on.
    ///   - logger: the logger.
    public init(
        routes: InProcessRouteTable,
        host: String,
        port: Int,
        authToken: String,
        maxBodySize: Int = 64 * 1024,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "slurmhub.proxy.api")
    ) {
        self.router = RouteAPIRouter(routes: routes, authToken: authToken)
        self.host = host
        self.port = port
        self.maxBodySize = maxBodySize
        self.group = eventLoopGroup
        self.logger = logger
    }

    /// Binds the listening socket and returns the bound port.
    public func start() async throws -> Int {
        let router = self.router
        let maxBodySize = self.maxBodySize
        return try await registry.bind(group: group, host: host, port: port, backlog: 256, what: "proxy API", logger: logger) {
            channel in
            let sync = channel.pipeline.syncOperations
            try sync.configureHTTPServerPipeline(withErrorHandling: true)
            try sync.addHandler(RouteAPIHandler(router: router, maxBodySize: maxBodySize))
        }
    }

    /// The bound port, once started.
    public var boundPort: Int? { registry.server?.localAddress?.port }

    /// Closes the listening socket and all open connections.
    public func shutdown() async {
        await registry.closeAll()
    }

    /// Binds, serves until the task is cancelled, then shuts down.
    public func run() async throws {
        try await registry.serve(start: start)
    }
}

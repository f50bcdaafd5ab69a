import HubModel
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The public reverse proxy: a SwiftNIO pipeline that routes requests by longest-prefix match
/// on an ``InProcessRouteTable`` and forwards them (including WebSocket upgrades) to the
/// route's target, reusing upstream connections per client connection.
public final class ProxyServer: Sendable {
    private let host: String
    private let port: Int
    private let settings: ProxySettings
    private let group: any EventLoopGroup
    private let logger: Logger
    private let registry = ChannelRegistry()
    private let limits: ConnectionLimits
    private let tls: TLSCertificateStore?
    /// The listener's connection counts.
    public let gate: ConnectionGate

    /// What a proxy listener is: its address, error pages and whom it trusts.
    public struct Configuration: Sendable {
        /// Address to listen on, e.g. `"0.0.0.0"`.
        public var host: String
        /// Port to listen on (`0` picks a free port; see ``ProxyServer/start()``).
        public var port: Int
        /// Base URL of the error page service, e.g. `"http://127.0.0.1:8081/hub/error"`; 404/503 pages are fetched
        /// from `{errorTarget}/{code}?url=…`. Plain text when `nil`.
        public var errorTarget: String?
        /// Peers whose `X-Forwarded-*` headers are passed on (``ForwardedFor``).
        public var trustedProxies: [IPNetwork]
        /// Timeouts and connection caps (trusted proxies are exempt from the per-client cap).
        public var limits: ConnectionLimits
        /// The certificate for HTTPS; nil: plain HTTP.
        public var tls: TLSCertificateStore?
        /// How `https` targets (the hub API with TLS) are verified.
        public var upstreamTLS: UpstreamTLS?
        /// Routes are keyed by host as well as path (configurable-http-proxy's `--host-routing`, JupyterHub's
        /// `subdomain_host`): a request for `alice.hub.example.org/user/alice/x` is looked up as
        /// `/alice.hub.example.org/user/alice/x`, falling back to `/` (the hub) as ever.
        public var hostRouting: Bool

        public init(host: String, port: Int, errorTarget: String? = nil, trustedProxies: [IPNetwork] = [],
                    limits: ConnectionLimits = ConnectionLimits(), tls: TLSCertificateStore? = nil,
                    upstreamTLS: UpstreamTLS? = nil, hostRouting: Bool = false) {
            self.hostRouting = hostRouting
            self.tls = tls
            self.upstreamTLS = upstreamTLS
            self.host = host
            self.port = port
            self.errorTarget = errorTarget
            self.trustedProxies = trustedProxies
            self.limits = limits
            self.limits.exemptFromPerClientCap += trustedProxies
        }
    }

    /// Creates a proxy server; nothing is bound until ``start()`` or ``run()``.
    ///
    /// - Parameters:
    ///   - routes: the route table to consult for every request.
    ///   - configuration: address, error pages, trusted peers.
    ///   - eventLoopGroup: the event loops serving client and upstream connections.
    ///   - logger: the logger.
    public init(
        routes: InProcessRouteTable,
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "slurmhub.proxy")
    ) {
        self.host = configuration.host
        self.port = configuration.port
        self.settings = ProxySettings(
            routes: routes,
            errorTarget: configuration.errorTarget.flatMap(UpstreamTarget.init),
            connectTimeout: .seconds(10),
            trustedProxies: configuration.trustedProxies,
            scheme: configuration.tls == nil ? "http" : "https",
            hostRouting: configuration.hostRouting,
            // https targets added through the route API are verified against the system's roots.
            upstreamTLS: configuration.upstreamTLS ?? (try? UpstreamTLS(caFile: nil, serverName: nil)))
        self.tls = configuration.tls
        self.limits = configuration.limits
        self.gate = ConnectionGate(limits: configuration.limits)
        self.group = eventLoopGroup
        self.logger = logger
    }

    /// Creates a proxy server listening on `host:port` that trusts no peer's forwarding headers.
    public convenience init(
        routes: InProcessRouteTable,
        host: String,
        port: Int,
        errorTarget: String? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "slurmhub.proxy")
    ) {
        self.init(routes: routes, configuration: Configuration(host: host, port: port, errorTarget: errorTarget),
                  eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Binds the listening socket and returns the bound port.
    public func start() async throws -> Int {
        let settings = self.settings
        let (logger, limits, tls) = (self.logger, self.limits, self.tls)
        return try await registry.bind(group: group, host: host, port: port, backlog: 1024, what: "proxy", gate: gate,
                                       logger: logger) { channel in
            let codecs = ClientCodecs(
                encoder: HTTPResponseEncoder(configuration: Self.encoderConfiguration),
                decoder: ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)),
                deadline: ConnectionDeadlineHandler<HTTPServerRequestPart, HTTPServerResponsePart>(
                    limits: limits,
                    isRequestHead: { if case .head = $0 { true } else { false } },
                    isResponseEnd: { if case .end = $0 { true } else { false } }),
                pipelining: RequestSerializer(),
                errors: HTTPServerProtocolErrorHandler())
            let proxy = ProxyHandler(settings: settings, codecs: codecs, logger: logger)
            if let tls {
                // The context current at accept: a reload changes what later connections get, never this one.
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context))
            }
            try channel.pipeline.syncOperations.addHandlers([
                codecs.encoder, codecs.decoder, codecs.deadline, codecs.pipelining, codecs.errors, proxy,
            ])
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

    private static var encoderConfiguration: HTTPResponseEncoder.Configuration {
        var configuration = HTTPResponseEncoder.Configuration()
        configuration.automaticallySetFramingHeaders = false
        return configuration
    }
}

/// Suspends until the current task is cancelled.
func waitForCancellation() async {
    let stream = AsyncStream<Never> { continuation in
        continuation.onTermination = { _ in }
    }
    for await _ in stream {}
}

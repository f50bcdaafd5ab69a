import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `hub.tls.redirect_http_bind`: answers every plain-HTTP request with a 301 to the same path and query under the
/// configured HTTPS base URL. The target host is the configuration's, never the request's `Host`.
public final class HTTPSRedirectServer: Sendable {
    private let host: String
    private let port: Int
    private let base: String
    private let limits: ConnectionLimits
    private let gate: ConnectionGate
    private let group: any EventLoopGroup
    private let logger: Logger
    private let registry = ChannelRegistry()

    /// - Parameter base: the public HTTPS URL without a trailing slash, e.g. `https://jupyter.example.org`.
    public init(host: String, port: Int, base: String, limits: ConnectionLimits = ConnectionLimits(),
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "slurmhub.redirect")) {
        self.host = host
        self.port = port
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.limits = limits
        self.gate = ConnectionGate(limits: limits)
        self.group = eventLoopGroup
        self.logger = logger
    }

    /// Binds and returns the bound port.
    public func start() async throws -> Int {
        let (base, limits) = (self.base, self.limits)
        return try await registry.bind(group: group, host: host, port: port, backlog: 256, what: "HTTPS redirect",
                                       gate: gate, logger: logger) { channel in
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandlers([
                ConnectionDeadlineHandler<HTTPServerRequestPart, HTTPServerResponsePart>(
                    limits: limits,
                    isRequestHead: { if case .head = $0 { true } else { false } },
                    isResponseEnd: { if case .end = $0 { true } else { false } }),
                RedirectHandler(base: base),
            ])
        }
    }

    /// Closes the listener and its connections.
    public func shutdown() async {
        await registry.closeAll()
    }

    /// The 301 target for a request target: `base` + the path and query, `/` for anything that is not a path
    /// (`*`, absolute-form, authority-form).
    static func location(base: String, uri: String) -> String {
        base + (uri.hasPrefix("/") ? uri : "/")
    }
}

/// Answers each request with the 301 once the request has ended.
private final class RedirectHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let base: String
    var head: HTTPRequestHead?

    init(base: String) {
        self.base = base
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            var headers = HTTPHeaders()
            headers.add(name: "Location", value: HTTPSRedirectServer.location(base: base, uri: request.uri))
            headers.add(name: "Content-Length", value: "0")
            if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
            let response = HTTPResponseHead(version: request.version, status: .movedPermanently, headers: headers)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            let channel = context.channel
            let keepAlive = request.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }
}

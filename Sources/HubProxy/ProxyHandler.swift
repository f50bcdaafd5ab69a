import HubModel
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTP codec handlers of a client connection, kept so they can be removed on upgrade.
struct ClientCodecs {
    let encoder: HTTPResponseEncoder
    let decoder: ByteToMessageHandler<HTTPRequestDecoder>
    let deadline: ConnectionDeadlineHandler<HTTPServerRequestPart, HTTPServerResponsePart>
    let pipelining: RequestSerializer
    let errors: HTTPServerProtocolErrorHandler
}

/// The per-client-connection reverse-proxy handler.
///
/// Routes each request by longest-prefix match, forwards it over an upstream connection on the
/// same event loop (reused while the target stays the same), streams bodies both ways with
/// back-pressure, and hands WebSocket upgrades over to raw ``GlueHandler``s.
final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let settings: ProxySettings
    let codecs: ClientCodecs
    let logger: Logger
    var context: ChannelHandlerContext?
    var forwarded = ForwardedFor(clientIP: nil, scheme: "http", trusted: false)
    var exchange: ProxyExchangeStateMachine?
    var upstream: UpstreamLink?
    /// Request parts waiting for the upstream connection to come up.
    var buffered: [HTTPClientRequestPart] = []
    var readPending = false

    init(settings: ProxySettings, codecs: ClientCodecs, logger: Logger) {
        self.settings = settings
        self.codecs = codecs
        self.logger = logger
    }

    var clientIsWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let clientIP = context.channel.remoteAddress?.ipAddress
        forwarded = ForwardedFor(clientIP: clientIP, scheme: settings.scheme,
                                 trusted: settings.trustedProxies.containsAddress(clientIP))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: - Client → upstream

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            startExchange(head)
        case .body(let buffer):
            forwardRequestPart(.body(.byteBuffer(buffer)))
        case .end(let trailers):
            switch exchange?.requestEndReceived() {
            case .finishResponse?:
                finishExchange(trailers: nil)
            case .forwardEnd?:
                sendRequestPart(.end(trailers))
                if let link = upstream, !link.connecting { link.handler.flush() }
            case .none?, nil:
                break
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let link = upstream, !link.connecting { link.handler.flush() }
        context.fireChannelReadComplete()
    }

    private func forwardRequestPart(_ part: HTTPClientRequestPart) {
        guard exchange?.forwardsRequestBody == true else { return }
        sendRequestPart(part)
    }

    /// Sends a request part upstream, or buffers it while the connection is coming up.
    private func sendRequestPart(_ part: HTTPClientRequestPart) {
        guard let link = upstream else { return }
        if link.connecting {
            buffered.append(part)
        } else {
            link.handler.send(part)
        }
    }

    private func startExchange(_ head: HTTPRequestHead) {
        let isUpgrade = ProxyHeaders.isUpgrade(head)
        var path = head.uri.firstIndex(of: "?").map { String(head.uri[..<$0]) } ?? head.uri
        let routingHost = settings.hostRouting ? ProxyHeaders.routingHost(head) : ""
        if settings.hostRouting, let routingHost {
            // Without a host only the hub's `/` route is reachable: `/alice.hub.example.org/user/alice/` as a path
            // must not match alice's route.
            path = routingHost.isEmpty || !path.hasPrefix("/") ? "/" : "/" + routingHost + path
        }
        let match = routingHost == nil ? nil : settings.routes.lookup(path: path)
        exchange = ProxyExchangeStateMachine(head: head, isUpgrade: isUpgrade, route: match?.entry)
        guard routingHost != nil else {
            logger.notice("refused a request with a malformed Host header", metadata: ["client": "\(forwarded.clientIP ?? "?")"])
            rejectMalformedRequest()
            return
        }
        guard !ProxyHeaders.connectionNamesProtectedHeader(head) else {
            logger.notice("refused a request whose Connection header names a framing header",
                          metadata: ["client": "\(forwarded.clientIP ?? "?")", "connection":
                                        "\(head.headers[canonicalForm: "connection"].joined(separator: ","))"])
            rejectMalformedRequest()
            return
        }
        guard let match else {
            respondWithError(.notFound)
            return
        }
        match.touch()
        let target = match.entry.target
        let upstreamHead = ProxyHeaders.upstreamRequest(head, target: target, isUpgrade: isUpgrade, forwarded: forwarded)
        send([.head(upstreamHead)], to: target)
    }

    /// Sends request parts to `target`, reusing the current upstream connection when possible.
    func send(_ parts: [HTTPClientRequestPart], to target: UpstreamTarget) {
        if let link = upstream, link.target.key == target.key, link.reusable, !link.connecting,
            link.handler.channel?.isActive == true
        {
            for part in parts { link.handler.send(part) }
            return
        }
        dropUpstream()
        buffered = parts
        connect(to: target)
    }

    private func connect(to target: UpstreamTarget) {
        guard let context else { return }
        let handler = UpstreamHandler(owner: self)
        upstream = UpstreamLink(target: target, handler: handler)
        let bound = NIOLoopBound(handler, eventLoop: context.eventLoop)
        let tls = target.usesTLS ? settings.upstreamTLS : nil
        guard !target.usesTLS || tls != nil else {
            logger.error("no TLS settings for an https route target", metadata: ["target": "\(target.key)"])
            upstream = nil
            buffered = []
            upstreamFailed()
            return
        }
        let bootstrap = ClientBootstrap(group: context.eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(settings.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upstreamHandler = bound.value
                    let encoder = HTTPRequestEncoder()
                    let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
                    upstreamHandler.encoder = encoder
                    upstreamHandler.decoder = decoder
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls.context, serverHostname: tls.hostname(for: target)))
                    }
                    try channel.pipeline.syncOperations.addHandlers([encoder, decoder, upstreamHandler])
                }
            }
        let future: EventLoopFuture<any Channel>
        if let address = target.address {
            future = bootstrap.connect(to: address)
        } else {
            future = bootstrap.connect(host: target.host, port: target.port)
        }
        future.assumeIsolated().whenComplete { result in
            self.connectCompleted(handler, result: result)
        }
    }

    private func connectCompleted(_ handler: UpstreamHandler, result: Result<any Channel, any Error>) {
        guard upstream?.handler === handler else {
            if case .success(let channel) = result { channel.close(promise: nil) }
            return
        }
        switch result {
        case .success:
            upstream?.connecting = false
            let parts = buffered
            buffered = []
            for part in parts { handler.send(part) }
            handler.flush()
            resumeReadingIfPossible()
        case .failure(let error):
            logger.debug("upstream connect failed", metadata: ["error": "\(error)"])
            upstream = nil
            buffered = []
            upstreamFailed()
        }
    }

    /// Closes and forgets the current upstream connection, if any.
    func dropUpstream() {
        if let link = upstream {
            upstream = nil
            link.handler.detachAndClose()
        }
    }

    // MARK: - Back-pressure

    func read(context: ChannelHandlerContext) {
        if exchange?.forwardsRequestBody == true, let link = upstream, link.connecting || !link.handler.isWritable
        {
            readPending = true
            return
        }
        context.read()
    }

    func resumeReadingIfPossible() {
        guard readPending, let context else { return }
        if let link = upstream, link.connecting || !link.handler.isWritable { return }
        readPending = false
        context.read()
    }

    func upstreamBecameWritable(_ handler: UpstreamHandler) {
        guard upstream?.handler === handler else { return }
        resumeReadingIfPossible()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { upstream?.handler.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: - Lifecycle

    func channelInactive(context: ChannelHandlerContext) {
        exchange = nil
        buffered = []
        dropUpstream()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.trace("client connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

import NIOCore

/// Closes a connection that holds no request in flight for too long: ``ConnectionLimits/headerTimeout`` from
/// accept until the first request's head is complete, ``ConnectionLimits/idleTimeout`` after each response
/// while the connection is kept alive. While a request is in flight (a slow upstream, an event stream) no
/// deadline runs. Generic over the HTTP part types so that both the proxy (NIOHTTP1 parts) and the hub API
/// (Hummingbird's HTTP-types parts) use it; it sits right after the request decoder.
public final class ConnectionDeadlineHandler<Request, Response>: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = Request
    public typealias InboundOut = Request
    public typealias OutboundIn = Response
    public typealias OutboundOut = Response

    private let limits: ConnectionLimits
    private let isRequestHead: (Request) -> Bool
    private let isResponseEnd: (Response) -> Bool
    /// Requests whose head has arrived and whose response has not ended (more than one when pipelined).
    private var inFlight = 0
    private var deadline: Scheduled<Void>?

    /// - Parameters:
    ///   - isRequestHead: whether an inbound part is a request's head.
    ///   - isResponseEnd: whether an outbound part ends a response.
    public init(limits: ConnectionLimits, isRequestHead: @escaping (Request) -> Bool,
                isResponseEnd: @escaping (Response) -> Bool) {
        self.limits = limits
        self.isRequestHead = isRequestHead
        self.isResponseEnd = isResponseEnd
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, limits.headerTimeout) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    public func channelActive(context: ChannelHandlerContext) {
        if deadline == nil, inFlight == 0 { arm(context, limits.headerTimeout) }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if isRequestHead(unwrapInboundIn(data)) {
            inFlight += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if isResponseEnd(unwrapOutboundIn(data)), inFlight > 0 {
            inFlight -= 1
            if inFlight == 0 { arm(context, limits.idleTimeout) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, _ timeout: TimeAmount) {
        disarm()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}

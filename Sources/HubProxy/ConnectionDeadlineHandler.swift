import NIOCore

/// Closes a connection that holds no request in flight for too long: ``ConnectionLimits/headerTimeout`` from
/// accept until the first request's head is complete, ``ConnectionLimits/idleTimeout`` after each response
/// while the connection is kept alive. While a request is in flight (a slow upstream, an event stream) no
/// deadline runs. Generic over the HTTP part types so that both the proxy (NIOHTTP1 parts) and the hub API
/// (Hummingbird's HTTP-types parts) use it; it sits right after the request decoder.
///
/// A request costs no timer work: the deadline is a value that requests clear and responses set, and one
/// scheduled check per connection looks at it when it comes due, closing or re-arming for what is left.
/// (Scheduling and cancelling a task per request would also make each cancel scan the event loop's queue
/// of every other connection's deadline.)
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
    /// When the connection is to be closed; nil while a request is in flight.
    private var deadline: NIODeadline?
    /// The pending check and when it runs.
    private var check: (task: Scheduled<Void>, at: NIODeadline)?

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
        cancelCheck()
    }

    public func channelActive(context: ChannelHandlerContext) {
        if deadline == nil, inFlight == 0 { arm(context, limits.headerTimeout) }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        cancelCheck()
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
        let due = NIODeadline.now() + timeout
        deadline = due
        if let check, check.at <= due { return }
        schedule(context, at: due)
    }

    private func schedule(_ context: ChannelHandlerContext, at due: NIODeadline) {
        check?.task.cancel()
        let channel = context.channel
        // On the connection's own event loop, as every handler call is.
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { [weak self] in
            guard let self else { return }
            self.check = nil
            guard let deadline = self.deadline else { return }
            if deadline <= .now() {
                channel.close(promise: nil)
            } else {
                self.schedule(context, at: deadline)
            }
        }
        check = (task, due)
    }

    private func disarm() {
        deadline = nil
    }

    /// Drops the pending check (the handler is leaving or the channel closed).
    private func cancelCheck() {
        deadline = nil
        check?.task.cancel()
        check = nil
    }
}

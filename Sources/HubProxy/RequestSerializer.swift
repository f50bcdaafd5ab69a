import NIOCore
import NIOHTTP1

/// Hands the proxy one request at a time, as NIO's `HTTPServerPipelineHandler` does, without its cost on every
/// request: that handler withholds `read()` from the moment a request is complete until its response is written,
/// so the channel drops and re-adds its read interest (two `epoll_ctl` calls) per request. Here reading continues;
/// only the parts of a pipelined request that arrive before the previous response is finished are held, and
/// reading pauses only while some are held (so a pipelining client is still bounded by one read's worth).
final class RequestSerializer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The exchange the proxy is in: nil between exchanges.
    private struct Exchange {
        var requestEnded = false
        var responseEnded = false
    }

    private var current: Exchange?
    /// Parts of requests that may not start yet, in arrival order.
    private var held: CircularBuffer<HTTPServerRequestPart> = []
    private var readPending = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if !held.isEmpty {
            held.append(part)
            return
        }
        deliver(part, context: context, as: data)
    }

    /// Passes `part` on (as `wrapped`, when it arrived so, to save boxing it again), or holds it when it starts a
    /// request while another exchange is open.
    private func deliver(_ part: HTTPServerRequestPart, context: ChannelHandlerContext, as wrapped: NIOAny? = nil) {
        switch part {
        case .head:
            guard current == nil else {
                held.append(part)
                return
            }
            current = Exchange()
        case .body:
            break
        case .end:
            current?.requestEnded = true
        }
        context.fireChannelRead(wrapped ?? wrapInboundOut(part))
        finishIfDone(context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            current?.responseEnded = true
            context.write(data, promise: promise)
            finishIfDone(context: context)
        } else {
            context.write(data, promise: promise)
        }
    }

    /// Closes the exchange once both directions ended, then passes on what was held, up to the next request that
    /// must wait (a part delivered here may finish an exchange in turn: the loop reads `held` afresh each time).
    private func finishIfDone(context: ChannelHandlerContext) {
        guard let exchange = current, exchange.requestEnded, exchange.responseEnded else { return }
        current = nil
        while let next = held.first {
            if case .head = next, current != nil { break }
            held.removeFirst()
            deliver(next, context: context)
        }
        if held.isEmpty, readPending {
            readPending = false
            context.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if held.isEmpty {
            context.read()
        } else {
            readPending = true
        }
    }
}

import NIOCore
import NIOHTTP1

/// Hands the proxy one request at a time, as NIO's `HTTPServerPipelineHandler` does, without its cost on every
/// request: that handler withholds `read()` from the moment a request is complete until its response is written,
/// so the channel drops and re-adds its read interest (two `epoll_ctl` calls) per request. Here reading continues;
/// only what arrives for a pipelined request before the previous response is finished is held (its parts, and a
/// parse error after them, which must not answer in the middle of another exchange), and reading pauses only
/// while something is held, so a pipelining client is still bounded by one read's worth.
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

    /// What waits for the current exchange to finish.
    private enum Held {
        case part(HTTPServerRequestPart)
        case error(any Error)
    }

    private var current: Exchange?
    private var held: CircularBuffer<Held> = []
    private var readPending = false
    /// Set while `drain` runs: an exchange finished by a part it delivers continues the same loop.
    private var draining = false
    /// A response said `Connection: close`: no further request is delivered on this connection.
    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a `Connection: close` response only the rest of the current request is passed on (the proxy
        // closes once it has read it); later requests are dropped.
        if closing, current == nil || current?.requestEnded == true || !held.isEmpty { return }
        let part = unwrapInboundIn(data)
        if !held.isEmpty {
            held.append(.part(part))
            return
        }
        deliver(part, context: context, as: data)
    }

    /// A parse error answers (400) only after the exchanges before it; other errors pass at once.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, current != nil || !held.isEmpty {
            held.append(.error(error))
        } else {
            context.fireErrorCaught(error)
        }
    }

    /// Passes `part` on (as `wrapped`, when it arrived so, to save boxing it again), or holds it when it starts a
    /// request while another exchange is open.
    private func deliver(_ part: HTTPServerRequestPart, context: ChannelHandlerContext, as wrapped: NIOAny? = nil) {
        switch part {
        case .head:
            guard current == nil else {
                held.append(.part(part))
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
        switch unwrapOutboundIn(data) {
        case .head(let head):
            // The proxy says `Connection: close` when it will close (a refused request); a response that is merely
            // HTTP/1.0 from an upstream does not end the client's connection.
            if head.headers.contains(name: "connection"),
               head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" }) { closing = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            current?.responseEnded = true
            context.write(data, promise: promise)
            finishIfDone(context: context)
        }
    }

    /// Closes the exchange once both directions ended, then passes on what was held.
    private func finishIfDone(context: ChannelHandlerContext) {
        guard let exchange = current, exchange.requestEnded, exchange.responseEnded else { return }
        current = nil
        drain(context: context)
    }

    /// Delivers held parts up to the next request or error that must wait, as a loop (never recursively: a
    /// part delivered here may finish an exchange at once, e.g. a request the proxy refuses on the spot).
    private func drain(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        while let next = held.first {
            if closing {
                held.removeAll()
                return
            }
            switch next {
            case .part(.head) where current != nil, .error where current != nil:
                return
            case .part(let part):
                held.removeFirst()
                deliver(part, context: context)
            case .error(let error):
                held.removeAll()
                context.fireErrorCaught(error)
                return
            }
        }
        if readPending, !closing {
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

import NIOCore
import NIOHTTP1

/// Upstream → client: response streaming and exchange completion.
extension ProxyHandler {
    func upstreamReceived(_ part: HTTPClientResponsePart, from handler: UpstreamHandler) {
        guard upstream?.handler === handler, let context, exchange != nil else {
            handler.detachAndClose()
            return
        }
        switch part {
        case .head(let head):
            guard let action = exchange?.upstreamHeadReceived(head) else { return }
            if case .ignore = action { return }
            if !head.isKeepAlive { upstream?.reusable = false }
            if case .write(let clientHead) = action {
                context.write(wrapOutboundOut(.head(clientHead)), promise: nil)
            }
        case .body(let buffer):
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end(let trailers):
            guard let (action, touchRoute) = exchange?.upstreamEndReceived() else { return }
            if touchRoute { exchange?.route?.touch() }
            switch action {
            case .completeUpgrade(let upgradeHead):
                completeUpgrade(upgradeHead, route: exchange?.route, handler: handler)
            case .awaitRequestEnd:
                context.flush()
            case .finishResponse:
                finishExchange(trailers: trailers)
            }
        }
    }

    func upstreamReadComplete(from handler: UpstreamHandler) {
        guard upstream?.handler === handler else { return }
        context?.flush()
    }

    /// Writes the response end and either readies the connection for the next request or closes it.
    func finishExchange(trailers: HTTPHeaders?) {
        guard let context, let finished = exchange else { return }
        exchange = nil
        if !finished.requestEnded || !(upstream?.reusable ?? true) {
            dropUpstream()
        }
        if finished.keepsConnectionOpen {
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
            resumeReadingIfPossible()
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    func upstreamClosed(_ handler: UpstreamHandler) {
        guard upstream?.handler === handler else { return }
        upstream = nil
        switch exchange?.upstreamClosed() {
        case .closeClient?:
            exchange = nil
            context?.close(promise: nil)
        case .fail?:
            upstreamFailed()
        case .ignore?, nil:
            break
        }
    }

    /// The upstream could not be reached or closed before answering.
    func upstreamFailed() {
        switch exchange?.upstreamFailed() {
        case .plain(let status)?: respondPlain(status)
        case .error(let status)?: respondWithError(status)
        case nil: break
        }
    }

    private func completeUpgrade(_ head: HTTPResponseHead, route: RouteEntry?, handler: UpstreamHandler) {
        guard let context, let upstreamContext = handler.context,
            let upstreamEncoder = handler.encoder, let upstreamDecoder = handler.decoder
        else {
            context?.close(promise: nil)
            return
        }
        exchange = nil
        upstream = nil
        handler.owner = nil
        route?.touch()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        GlueHandler.splice(
            client: ClientSide(channel: context.channel, codecs: codecs, proxy: self),
            upstream: UpstreamSide(
                channel: upstreamContext.channel, encoder: upstreamEncoder, decoder: upstreamDecoder,
                handler: handler),
            route: route)
    }
}

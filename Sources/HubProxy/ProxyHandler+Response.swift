import NIOCore
import NIOHTTP1

/// Upstream → client: response streaming and exchange completion.
extension ProxyHandler {
    func upstreamReceived(_ part: HTTPClientResponsePart, from handler: UpstreamHandler) {
        guard upstream?.handler === handler, let context, var current = exchange else {
            handler.detachAndClose()
            return
        }
        switch part {
        case .head(let head):
            if head.status.code < 200 && head.status != .switchingProtocols { return }
            if !head.isKeepAlive { upstream?.reusable = false }
            if head.status == .switchingProtocols && current.isUpgrade && !current.isErrorFetch {
                current.pendingUpgrade = head
                exchange = current
                return
            }
            if current.isUpgrade { current.keepAlive = false }
            let clientHead = ProxyHeaders.clientResponse(head, exchange: &current)
            current.responseStarted = true
            current.responseSucceeded = head.status.code < 300 && current.statusOverride == nil
            exchange = current
            context.write(wrapOutboundOut(.head(clientHead)), promise: nil)
        case .body(let buffer):
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end(let trailers):
            if let upgradeHead = current.pendingUpgrade {
                completeUpgrade(upgradeHead, route: current.route, handler: handler)
                return
            }
            if current.responseSucceeded { current.route?.touch() }
            if !current.requestDone && current.discardRequestBody {
                current.awaitingRequestEnd = true
                exchange = current
                context.flush()
                return
            }
            finishExchange(current, trailers: trailers)
        }
    }

    func upstreamReadComplete(from handler: UpstreamHandler) {
        guard upstream?.handler === handler else { return }
        context?.flush()
    }

    /// Writes the response end and either readies the connection for the next request or closes it.
    func finishExchange(_ finished: ProxyExchange, trailers: HTTPHeaders?) {
        guard let context else { return }
        exchange = nil
        let keepAlive = finished.keepAlive && finished.requestDone
        if !finished.requestDone || !(upstream?.reusable ?? true) {
            dropUpstream()
        }
        if keepAlive {
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
        guard let current = exchange else { return }
        if current.pendingUpgrade != nil { return }
        if current.responseStarted {
            // Upstream went away mid-response: the client cannot get a complete answer.
            exchange = nil
            context?.close(promise: nil)
        } else {
            upstreamFailed()
        }
    }

    /// The upstream could not be reached or closed before answering.
    func upstreamFailed() {
        guard let current = exchange else { return }
        if current.isErrorFetch {
            respondPlain(current.statusOverride ?? .serviceUnavailable)
        } else {
            respondWithError(.serviceUnavailable)
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

import NIOCore
import NIOHTTP1

/// The handler at the end of an upstream (proxy → target) channel's pipeline.
///
/// It forwards response parts to the owning ``ProxyHandler`` and only reads from the upstream
/// socket while the client channel is writable (back-pressure).
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// The client-side handler; nil once detached (client gone or upstream replaced).
    weak var owner: ProxyHandler?
    private(set) var context: ChannelHandlerContext?
    private var readPending = false
    /// The codec handlers, kept so they can be removed on a protocol upgrade.
    var encoder: HTTPRequestEncoder?
    var decoder: ByteToMessageHandler<HTTPResponseDecoder>?

    init(owner: ProxyHandler) {
        self.owner = owner
    }

    var channel: (any Channel)? { context?.channel }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let owner else {
            context.close(promise: nil)
            return
        }
        owner.upstreamReceived(unwrapInboundIn(data), from: self)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        owner?.upstreamReadComplete(from: self)
    }

    func channelInactive(context: ChannelHandlerContext) {
        owner?.upstreamClosed(self)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            owner?.upstreamBecameWritable(self)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if owner?.clientIsWritable ?? true {
            context.read()
        } else {
            readPending = true
        }
    }

    /// Issues a read that was held back because the client was not writable.
    func resumeReading() {
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    func send(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    /// Detaches from the owner and closes the upstream connection.
    func detachAndClose() {
        owner = nil
        context?.close(promise: nil)
    }
}

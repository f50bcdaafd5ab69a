import NIOCore
import NIOHTTP1

/// The client connection's handlers that an upgrade removes.
struct ClientSide {
    let channel: any Channel
    let codecs: ClientCodecs
    let proxy: ProxyHandler
}

/// The upstream connection's handlers that an upgrade removes.
struct UpstreamSide {
    let channel: any Channel
    let encoder: HTTPRequestEncoder
    let decoder: ByteToMessageHandler<HTTPResponseDecoder>
    let handler: UpstreamHandler
}

/// Glues two channels together as raw byte streams after a successful protocol upgrade
/// (WebSockets). Reads from one side only while the other side is writable, touches the route
/// on every chunk in either direction and closes the partner when one side closes.
/// There is deliberately no idle timeout.
final class GlueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private let route: RouteEntry?
    private var active = false
    private var held: [ByteBuffer] = []
    private var readPending = false

    private init(route: RouteEntry?) {
        self.route = route
    }

    /// Replaces the HTTP handlers of both channels with a glued pair.
    ///
    /// Order matters: encoders go first so nothing can write HTTP parts any more; the glue
    /// handlers hold incoming bytes until both decoders are gone (their left-over bytes are
    /// forwarded to the glue), then start relaying.
    static func splice(client: ClientSide, upstream: UpstreamSide, route: RouteEntry?) {
        let clientGlue = GlueHandler(route: route)
        let upstreamGlue = GlueHandler(route: route)
        clientGlue.partner = upstreamGlue
        upstreamGlue.partner = clientGlue
        let clientOps = client.channel.pipeline.syncOperations
        let upstreamOps = upstream.channel.pipeline.syncOperations
        do {
            try clientOps.addHandler(clientGlue)
            try upstreamOps.addHandler(upstreamGlue)
        } catch {
            client.channel.close(promise: nil)
            upstream.channel.close(promise: nil)
            return
        }
        upstreamOps.removeHandler(upstream.encoder, promise: nil)
        clientOps.removeHandler(client.codecs.encoder, promise: nil)
        clientOps.removeHandler(client.codecs.deadline, promise: nil)
        clientOps.removeHandler(client.codecs.pipelining, promise: nil)
        clientOps.removeHandler(client.codecs.errors, promise: nil)
        clientOps.removeHandler(client.proxy, promise: nil)
        upstreamOps.removeHandler(upstream.handler, promise: nil)
        let upstreamDecoderGone = upstreamOps.removeHandler(upstream.decoder)
        let clientDecoderGone = clientOps.removeHandler(client.codecs.decoder)
        upstreamDecoderGone.and(clientDecoderGone).assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                clientGlue.activate()
                upstreamGlue.activate()
            case .failure:
                client.channel.close(promise: nil)
                upstream.channel.close(promise: nil)
            }
        }
    }

    private func activate() {
        active = true
        guard let context, let partner else { return }
        if !held.isEmpty {
            let chunks = held
            held = []
            for chunk in chunks { partner.write(chunk) }
            partner.flush()
        }
        if context.channel.isActive { context.read() }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        route?.touch()
        if active, let partner {
            partner.write(bytes)
        } else {
            held.append(bytes)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if active { partner?.flush() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let other = partner
        partner = nil
        other?.partnerClosed()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if let partner, partner.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    // MARK: - Partner interface

    private var isWritable: Bool { context?.channel.isWritable ?? false }

    private func write(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    private func flush() {
        context?.flush()
    }

    private func partnerBecameWritable() {
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    private func partnerClosed() {
        partner = nil
        guard let context else { return }
        if !held.isEmpty { held = [] }
        context.flush()
        context.close(promise: nil)
    }
}

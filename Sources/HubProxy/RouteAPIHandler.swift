import NIOCore
import NIOHTTP1

/// Buffers one small API request at a time and answers it through ``RouteAPIRouter``.
final class RouteAPIHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: RouteAPIRouter
    private let maxBodySize: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(router: RouteAPIRouter, maxBodySize: Int) {
        self.router = router
        self.maxBodySize = maxBodySize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.removeAll(keepingCapacity: true)
            tooLarge = false
        case .body(var buffer):
            guard !tooLarge else { return }
            if body.count + buffer.readableBytes > maxBodySize {
                tooLarge = true
                body.removeAll()
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body.append(contentsOf: bytes)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let response: RouteAPIResponse
            if tooLarge {
                response = RouteAPIResponse(status: .payloadTooLarge, json: #"{"error":"Request body too large"}"#)
            } else {
                response = router.handle(
                    method: requestHead.method, uri: requestHead.uri, headers: requestHead.headers, body: body)
            }
            write(response, keepAlive: requestHead.isKeepAlive && !tooLarge, version: requestHead.version, context: context)
        }
    }

    private func write(_ response: RouteAPIResponse, keepAlive: Bool, version: HTTPVersion, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        var buffer: ByteBuffer?
        if let json = response.json {
            var bytes = context.channel.allocator.buffer(capacity: json.utf8.count)
            bytes.writeString(json)
            buffer = bytes
            headers.add(name: "Content-Type", value: "application/json")
        }
        headers.add(name: "Content-Length", value: String(buffer?.readableBytes ?? 0))
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let responseHead = HTTPResponseHead(version: version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if let buffer {
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

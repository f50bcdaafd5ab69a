import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as seen by the test upstream.
struct RecordedRequest: Sendable {
    let connection: Int
    let head: HTTPRequestHead
    let bodyBytes: Int
    let checksum: UInt32
}

/// A small NIO HTTP server used as the proxy's upstream in tests.
///
/// - `/hub/error/<code>?url=…` answers 200 with `error page <code> url=<url>`.
/// - `/big?n=N` answers N bytes of a repeating pattern.
/// - upgrade requests get a 101 and then a raw byte echo.
/// - everything else gets a JSON echo: connection id, uri, body size and checksum.
final class TestUpstream: Sendable {
    let channel: any Channel
    let port: Int
    let log: NIOLockedValueBox<[RecordedRequest]>
    let open: NIOLockedValueBox<Int>

    private init(channel: any Channel, log: NIOLockedValueBox<[RecordedRequest]>, open: NIOLockedValueBox<Int>) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.log = log
        self.open = open
    }

    /// Connections currently open to this upstream.
    var openConnections: Int { open.withLockedValue { $0 } }

    /// Waits (up to 2 s) until no connection to this upstream is open.
    func waitForNoConnections() async throws -> Bool {
        for _ in 0..<200 {
            if openConnections == 0 { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [RecordedRequest] { log.withLockedValue { $0 } }

    static func start() async throws -> TestUpstream {
        let log = NIOLockedValueBox<[RecordedRequest]>([])
        let counter = NIOLockedValueBox(0)
        let open = NIOLockedValueBox(0)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let id = counter.withLockedValue { value -> Int in
                    value += 1
                    return value
                }
                open.withLockedValue { $0 += 1 }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    let encoder = HTTPResponseEncoder()
                    let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
                    let handler = UpstreamTestHandler(id: id, log: log, encoder: encoder, decoder: decoder)
                    try channel.pipeline.syncOperations.addHandlers([encoder, decoder, handler])
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TestUpstream(channel: channel, log: log, open: open)
    }

    /// A simple rolling checksum over bytes.
    static func checksum<Bytes: Sequence>(_ bytes: Bytes, seed: UInt32) -> UInt32 where Bytes.Element == UInt8 {
        bytes.reduce(seed) { $0 &* 31 &+ UInt32($1) }
    }

    func close() async {
        try? await channel.close()
    }
}

private final class UpstreamTestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let id: Int
    let log: NIOLockedValueBox<[RecordedRequest]>
    let encoder: HTTPResponseEncoder
    let decoder: ByteToMessageHandler<HTTPRequestDecoder>
    var head: HTTPRequestHead?
    var bodyBytes = 0
    var checksum: UInt32 = 0

    init(id: Int, log: NIOLockedValueBox<[RecordedRequest]>, encoder: HTTPResponseEncoder,
         decoder: ByteToMessageHandler<HTTPRequestDecoder>) {
        self.id = id
        self.log = log
        self.encoder = encoder
        self.decoder = decoder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            bodyBytes = 0
            checksum = 0
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            checksum = buffer.withUnsafeReadableBytes { TestUpstream.checksum($0, seed: checksum) }
        case .end:
            guard let requestHead = head else { return }
            log.withLockedValue {
                $0.append(RecordedRequest(connection: id, head: requestHead, bodyBytes: bodyBytes, checksum: checksum))
            }
            respond(to: requestHead, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        if request.headers.contains(name: "upgrade") {
            upgrade(context: context)
            return
        }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        if path.hasPrefix("/hub/error/") {
            let query = request.uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            let code = path.dropFirst("/hub/error/".count)
            send(status: .ok, body: "error page \(code) \(query)", contentType: "text/html", context: context)
        } else if path.hasSuffix("/big") {
            let count = Int(request.uri.split(separator: "=").last ?? "0") ?? 0
            var headers = HTTPHeaders([("Content-Length", String(count))])
            headers.add(name: "Content-Type", value: "application/octet-stream")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            var remaining = count
            var offset = 0
            while remaining > 0 {
                let size = min(remaining, 65_536)
                let start = offset % 251
                let chunk = ByteBuffer(bytes: Self.pattern[start..<(start + size)])
                context.write(wrapOutboundOut(.body(.byteBuffer(chunk))), promise: nil)
                remaining -= size
                offset += size
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else if path.hasSuffix("/abort") {
            let headers = HTTPHeaders([("Content-Length", "1000")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "partial")))), promise: nil)
            context.close(promise: nil)
        } else if path.hasPrefix("/status/") {
            let code = Int(path.dropFirst("/status/".count)) ?? 500
            send(status: HTTPResponseStatus(statusCode: code), body: "status \(code)", contentType: "text/plain", context: context)
        } else {
            let json: [String: Any] = [
                "connection": id, "uri": request.uri, "method": "\(request.method)",
                "bodyBytes": bodyBytes, "checksum": Int(checksum),
            ]
            let data = (try? JSONSerialization.data(withJSONObject: json)) ?? Data()
            send(status: .ok, body: String(decoding: data, as: UTF8.self), contentType: "application/json", context: context)
        }
    }

    /// 251-periodic bytes, long enough to slice any 64 KiB window from.
    static let pattern: [UInt8] = (0..<(65_536 + 251)).map { UInt8($0 % 251) }

    private func send(status: HTTPResponseStatus, body: String, contentType: String, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        let headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", String(buffer.readableBytes))])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func upgrade(context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Upgrade", "websocket"), ("Connection", "Upgrade")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        let pipeline = context.pipeline.syncOperations
        do {
            try pipeline.addHandler(EchoHandler())
        } catch {
            context.close(promise: nil)
            return
        }
        pipeline.removeHandler(encoder, promise: nil)
        pipeline.removeHandler(self, promise: nil)
        pipeline.removeHandler(decoder, promise: nil)
    }
}

/// Echoes raw bytes back.
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}

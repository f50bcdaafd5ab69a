import NIOCore
import NIOHTTP1

/// Error answers: 404 (no route) and 503 (upstream unreachable), optionally rendered by the
/// hub's error target (`GET {errorTarget}/{code}?url=<original request>`).
extension ProxyHandler {
    /// Answers the current exchange with `status`, via the error target when configured.
    func respondWithError(_ status: HTTPResponseStatus) {
        guard let action = exchange?.answerWithError(status, hasErrorTarget: settings.errorTarget != nil) else { return }
        buffered = []
        switch action {
        case .bare(let status):
            respondBare(status)
        case .plain(let status):
            respondPlain(status)
        case .fetchErrorPage(let status):
            guard let errorTarget = settings.errorTarget, let current = exchange else { return }
            var uri = errorTarget.pathPrefix
            uri += "/\(status.code)?url="
            uri += RoutePath.percentEncodeComponent(current.originalURI)
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: errorTarget.hostHeader)
            headers.add(name: "Accept", value: "text/html")
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)
            send([.head(head), .end(nil)], to: errorTarget)
            if let link = upstream, !link.connecting { link.handler.flush() }
        }
    }

    /// Answers a request the proxy will not forward with a plain 400 and closes the connection afterwards: what
    /// follows on it cannot be trusted to be a request boundary.
    func rejectMalformedRequest() {
        guard exchange != nil else { return }
        exchange?.rejectMalformed()
        buffered = []
        respondPlain(.badRequest)
    }

    /// A small plain-text error response.
    func respondPlain(_ status: HTTPResponseStatus) {
        guard let context, let current = exchange else { return }
        let text = "\(status.code) \(status.reasonPhrase)\n"
        var body = context.channel.allocator.buffer(capacity: text.utf8.count)
        body.writeString(text)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if !current.keepAlive { headers.add(name: "Connection", value: "close") }
        let version: HTTPVersion = current.clientVersion.minor == 0 ? .http1_0 : .http1_1
        if current.keepAlive && version.minor == 0 { headers.add(name: "Connection", value: "keep-alive") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if !current.isHead {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        switch exchange?.plainAnswerWritten() {
        case .finishResponse?: finishExchange(trailers: nil)
        case .awaitRequestEnd?: context.flush()
        case nil: break
        }
    }

    /// A bare `HTTP/1.1 <code>` answer for failed upgrade requests; the connection is closed.
    private func respondBare(_ status: HTTPResponseStatus) {
        guard let context else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        finishExchange(trailers: nil)
    }
}

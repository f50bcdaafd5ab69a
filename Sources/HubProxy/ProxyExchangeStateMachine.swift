import NIOHTTP1

/// The one request/response exchange in flight on a client connection, as a state machine in the style of
/// async-http-client's `HTTP1ConnectionStateMachine`: ``ProxyHandler`` reports what happened (a request part,
/// an upstream head, an upstream that went away) and performs the action the machine returns. All decisions
/// about the exchange live here, with no I/O, so they can be tested without sockets.
struct ProxyExchangeStateMachine {
    /// What happens to the client's request body.
    enum RequestBody: Equatable {
        /// Parts go to the upstream.
        case forwarding
        /// Parts are dropped (the hub answers the request itself: an error).
        case discarding
        /// The request's `.end` has arrived.
        case ended
    }

    /// Where the response comes from.
    enum Source: Equatable {
        /// The matched route's upstream.
        case route
        /// The error target's page for this status (which the client gets instead of the page's own status).
        case errorPage(HTTPResponseStatus)
    }

    /// How far the response to the client has got.
    enum ResponseState {
        /// Nothing written yet.
        case waiting
        /// The upstream answered 101 to an upgrade; the switch to raw bytes happens at its `.end`.
        case upgradePending(HTTPResponseHead)
        /// The head is written; `touchesRoute`: a success that counts as activity on the route.
        case streaming(touchesRoute: Bool)
        /// Written except for its `.end`, which waits for the (discarded) request body to end.
        case awaitingRequestEnd
    }

    /// The matched route (nil when the exchange is answered with an error).
    let route: RouteEntry?
    let clientVersion: HTTPVersion
    let isUpgrade: Bool
    let isHead: Bool
    /// The original request target (path and query), for the error page's `url` parameter.
    let originalURI: String
    /// Whether the client connection stays open after this exchange.
    private(set) var keepAlive: Bool
    private(set) var requestBody = RequestBody.forwarding
    private(set) var source = Source.route
    private(set) var response = ResponseState.waiting

    init(head: HTTPRequestHead, isUpgrade: Bool, route: RouteEntry?) {
        self.route = route
        keepAlive = head.isKeepAlive && !isUpgrade
        clientVersion = head.version
        self.isUpgrade = isUpgrade
        isHead = head.method == .HEAD
        originalURI = head.uri
    }

    // MARK: The client's request

    /// Whether a request body part goes to the upstream.
    var forwardsRequestBody: Bool { requestBody == .forwarding }

    /// Whether the request has ended.
    var requestEnded: Bool { requestBody == .ended }

    enum RequestEndAction: Equatable {
        /// Send `.end` to the upstream.
        case forwardEnd
        /// The response only waited for this: write its `.end` and finish.
        case finishResponse
        /// Nothing to do (the body was being dropped).
        case none
    }

    mutating func requestEndReceived() -> RequestEndAction {
        let before = requestBody
        requestBody = .ended
        if case .awaitingRequestEnd = response { return .finishResponse }
        return before == .forwarding ? .forwardEnd : .none
    }

    // MARK: The upstream's response

    enum HeadAction {
        /// An informational response the client does not get.
        case ignore
        /// A 101 to hold until the upstream's `.end`.
        case holdUpgrade
        /// Write this head to the client.
        case write(HTTPResponseHead)
    }

    mutating func upstreamHeadReceived(_ head: HTTPResponseHead) -> HeadAction {
        if head.status.code < 200 && head.status != .switchingProtocols { return .ignore }
        if head.status == .switchingProtocols && isUpgrade && source == .route {
            response = .upgradePending(head)
            return .holdUpgrade
        }
        if isUpgrade { keepAlive = false }
        var status = head.status
        if case .errorPage(let original) = source { status = original }
        let clientHead = ProxyHeaders.clientResponse(head, status: status, clientVersion: clientVersion, isHead: isHead,
                                                     keepAlive: &keepAlive)
        response = .streaming(touchesRoute: head.status.code < 300 && source == .route)
        return .write(clientHead)
    }

    enum EndAction {
        /// Write the 101 head and splice the two connections.
        case completeUpgrade(HTTPResponseHead)
        /// Write `.end` and finish the exchange.
        case finishResponse
        /// Flush; the `.end` waits for the client's request to end.
        case awaitRequestEnd
    }

    /// The upstream's `.end`; `touchRoute` is set when the exchange counts as activity on its route.
    mutating func upstreamEndReceived() -> (action: EndAction, touchRoute: Bool) {
        switch response {
        case .upgradePending(let head):
            return (.completeUpgrade(head), false)
        case .streaming(let touches):
            return (finishOrAwait(), touches)
        case .waiting, .awaitingRequestEnd:
            return (finishOrAwait(), false)
        }
    }

    private mutating func finishOrAwait() -> EndAction {
        guard requestBody == .discarding else { return .finishResponse }
        response = .awaitingRequestEnd
        return .awaitRequestEnd
    }

    enum ClosedAction: Equatable {
        /// An upgrade is being spliced; the closed connection no longer matters.
        case ignore
        /// Mid-response: the client cannot get a complete answer; close it.
        case closeClient
        /// Before any answer: answer the failure.
        case fail
    }

    func upstreamClosed() -> ClosedAction {
        switch response {
        case .upgradePending: return .ignore
        case .streaming, .awaitingRequestEnd: return .closeClient
        case .waiting: return .fail
        }
    }

    enum FailureAction: Equatable {
        /// The error page itself could not be fetched: a plain answer with the original status.
        case plain(HTTPResponseStatus)
        /// The route's upstream could not be reached: answer 503.
        case error(HTTPResponseStatus)
    }

    /// The upstream could not be reached, or closed before answering.
    func upstreamFailed() -> FailureAction {
        if case .errorPage(let status) = source { return .plain(status) }
        return .error(.serviceUnavailable)
    }

    // MARK: Answers of the proxy's own

    enum ErrorAction: Equatable {
        /// A bare `HTTP/1.1 <code>`, closing the connection (failed upgrades).
        case bare(HTTPResponseStatus)
        /// A small plain-text page.
        case plain(HTTPResponseStatus)
        /// Fetch the error target's page for this status.
        case fetchErrorPage(HTTPResponseStatus)
    }

    /// Answers the exchange with `status` instead of the upstream's response; the request body is dropped from now.
    mutating func answerWithError(_ status: HTTPResponseStatus, hasErrorTarget: Bool) -> ErrorAction {
        if requestBody == .forwarding { requestBody = .discarding }
        if isUpgrade {
            keepAlive = false
            requestBody = .ended
            return .bare(status)
        }
        guard hasErrorTarget, source == .route else { return .plain(status) }
        source = .errorPage(status)
        return .fetchErrorPage(status)
    }

    /// The request is malformed: it gets a plain 400, its body is dropped and the connection closes after the answer.
    mutating func rejectMalformed() {
        keepAlive = false
        if requestBody == .forwarding { requestBody = .discarding }
    }

    enum PlainAction: Equatable {
        case finishResponse
        case awaitRequestEnd
    }

    /// A plain answer's head and body are written; its `.end` follows now or when the request has ended.
    mutating func plainAnswerWritten() -> PlainAction {
        if requestBody == .forwarding { requestBody = .discarding }
        guard requestBody != .ended else { return .finishResponse }
        response = .awaitingRequestEnd
        return .awaitRequestEnd
    }

    /// Whether the connection takes another request once this exchange is finished.
    var keepsConnectionOpen: Bool { keepAlive && requestBody == .ended }
}

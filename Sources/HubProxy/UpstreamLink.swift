import NIOCore
import NIOHTTP1

/// State of the one request/response exchange in flight on a client connection.
struct ProxyExchange {
    /// The matched route (nil when answering an error).
    var route: RouteEntry?
    /// Whether the client connection stays open after this exchange.
    var keepAlive: Bool
    let clientVersion: HTTPVersion
    let isUpgrade: Bool
    let isHead: Bool
    /// The original request target (path and query), for the error page's `url` parameter.
    let originalURI: String
    /// Client request body parts are dropped instead of forwarded (error responses).
    var discardRequestBody = false
    /// The client's request `.end` has arrived.
    var requestDone = false
    /// A response head has been written to the client.
    var responseStarted = false
    /// The response status was < 300 (touch the route when the response completes).
    var responseSucceeded = false
    /// Replaces the upstream status (error pages fetched from the error target).
    var statusOverride: HTTPResponseStatus?
    /// This exchange is fetching the error target's page.
    var isErrorFetch = false
    /// The response is complete except for its `.end`, which waits for the discarded request body to end.
    var awaitingRequestEnd = false
    /// Upstream answered 101 to an upgrade request; switch to raw bytes once it ends.
    var pendingUpgrade: HTTPResponseHead?

    init(head: HTTPRequestHead, isUpgrade: Bool) {
        self.keepAlive = head.isKeepAlive && !isUpgrade
        self.clientVersion = head.version
        self.isUpgrade = isUpgrade
        self.isHead = head.method == .HEAD
        self.originalURI = head.uri
    }
}

/// The upstream connection currently attached to a client connection.
struct UpstreamLink {
    let target: UpstreamTarget
    let handler: UpstreamHandler
    /// Whether the upstream may be reused for the next request (keep-alive).
    var reusable = true
    /// Still connecting; request parts are buffered until the connection is up.
    var connecting = true
}

/// Per-server settings shared by all client connections of a ``ProxyServer``.
struct ProxySettings: Sendable {
    let routes: InProcessRouteTable
    let errorTarget: UpstreamTarget?
    let connectTimeout: TimeAmount
}

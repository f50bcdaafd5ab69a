import HubModel
import NIOCore
import NIOHTTP1

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
    /// Peers whose `X-Forwarded-*` headers are kept.
    let trustedProxies: [IPNetwork]
    /// `https` on a TLS listener.
    let scheme: String
}

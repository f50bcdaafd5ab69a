import HubModel
import NIOSSL
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
    /// Whether route keys start with the request's host (``ProxyServer/Configuration/hostRouting``).
    let hostRouting: Bool
    /// How TLS upstreams (``UpstreamTarget/usesTLS``) are verified; nil: such targets cannot be reached.
    let upstreamTLS: UpstreamTLS?
}

/// The client side of TLS to upstreams: the trust roots, and the name the certificate must carry (the hub API is
/// reached on loopback but its certificate names the host the servers use).
public struct UpstreamTLS: Sendable {
    let context: NIOSSLContext
    let serverName: String?

    /// - Parameters:
    ///   - caFile: PEM trust roots; nil: the system's.
    ///   - serverName: the name verified and sent as SNI; nil: the target's host.
    public init(caFile: String?, serverName: String?) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.trustRoots = .file(caFile) }
        context = try NIOSSLContext(configuration: configuration)
        self.serverName = serverName
    }

    /// The name sent as SNI and checked against the certificate; nil for an IP address, which SNI cannot carry
    /// (the certificate's IP entries are then checked against the connected address).
    func hostname(for target: UpstreamTarget) -> String? {
        let name = serverName ?? target.host
        return IPNetwork(name) == nil ? name : nil
    }
}

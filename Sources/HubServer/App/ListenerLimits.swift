import Foundation
import HubConfig
import HubModel
import HubProxy
import Logging
import NIOCore
import NIOHTTPTypes

/// The connection limits of the two listeners (`hub.http.*`), fitted to the process's descriptor limit, which is
/// raised to its hard limit first: a flood of idle connections then meets a cap and a timeout, never `EMFILE`.
struct ListenerLimits {
    let proxy: ConnectionLimits
    let hubAPI: ConnectionLimits

    /// Descriptors kept back for the database, SSH sessions, log files and upstream connects.
    static let reserve = 512

    init(config: HubConfiguration, descriptors: Int, logger: Logger) {
        let http = config.hub.http
        let base = ConnectionLimits(
            headerTimeout: .milliseconds(Int64(http.headerTimeout * 1000)),
            idleTimeout: .milliseconds(Int64(http.idleTimeout * 1000)),
            maxConnections: http.maxConnections, maxConnectionsPerClient: http.maxConnectionsPerClient,
            exemptFromPerClientCap: config.proxy.trustedProxies)
        // A proxied connection holds two descriptors (client and upstream), a hub API connection one; the proxy
        // gets two thirds of the budget.
        let budget = max(64, descriptors - Self.reserve)
        proxy = base.fitted(toDescriptors: budget * 2 / 3, descriptorsPerConnection: 2)
        var api = base.fitted(toDescriptors: budget / 3, descriptorsPerConnection: 1)
        // Browsers reach the hub API through the hub's own proxy, from loopback.
        api.exemptFromPerClientCap += [IPNetwork("127.0.0.0/8"), IPNetwork("::1")].compactMap { $0 }
        hubAPI = api
        if proxy.maxConnections < http.maxConnections || hubAPI.maxConnections < http.maxConnections {
            logger.warning("hub.http.max_connections lowered to fit the descriptor limit", metadata: [
                "descriptor_limit": "\(descriptors)", "proxy": "\(proxy.maxConnections)", "hub_api": "\(hubAPI.maxConnections)"])
        }
    }

    /// The hub API's per-connection handlers (Hummingbird adds them after its HTTP decoding): the cap, then the
    /// header and idle deadlines.
    @Sendable static func hubAPIHandlers(gate: ConnectionGate, limits: ConnectionLimits) -> [any RemovableChannelHandler] {
        [
            ConnectionAdmissionHandler(gate: gate),
            ConnectionDeadlineHandler<HTTPRequestPart, HTTPResponsePart>(
                limits: limits,
                isRequestHead: { if case .head = $0 { true } else { false } },
                isResponseEnd: { if case .end = $0 { true } else { false } }),
        ]
    }
}

/// Closes a hub API connection that the listener's ``ConnectionGate`` turns away, before anything is read from it.
final class ConnectionAdmissionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let gate: ConnectionGate

    init(gate: ConnectionGate) {
        self.gate = gate
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        if !gate.admit(channel) {
            channel.eventLoop.execute { channel.close(promise: nil) }
        }
    }
}

/// The process's open-descriptor limit (`RLIMIT_NOFILE`).
enum DescriptorLimit {
    /// Raises the soft limit to the hard limit and returns the limit now in force.
    static func raiseToHardLimit(logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            let before = limit.rlim_cur
            limit.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
                logger.warning("could not raise the descriptor limit", metadata: ["soft": "\(before)", "hard": "\(limit.rlim_max)"])
                limit.rlim_cur = before
            }
        }
        return Int(clamping: limit.rlim_cur)
    }
}

import HubModel
import NIOConcurrencyHelpers
import NIOCore

/// How long a connection may sit without a request, and how many a listener holds (`hub.http.*`), so that
/// clients that connect and send nothing, or trickle a request's headers (slowloris), cannot use up a
/// listener's descriptors.
public struct ConnectionLimits: Sendable, Equatable {
    /// A connection whose first request's headers are not complete this long after accepting is closed.
    public var headerTimeout: TimeAmount
    /// A kept-alive connection with no request in flight is closed after this long. Upgraded (WebSocket)
    /// connections are exempt: their idle time is the server's business.
    public var idleTimeout: TimeAmount
    /// Connections open at once on the listener; more are closed when accepted.
    public var maxConnections: Int
    /// Connections open at once from one client address; more are closed when accepted.
    public var maxConnectionsPerClient: Int
    /// Peers the per-client cap does not apply to (a proxy in front; the hub's own proxy on loopback).
    public var exemptFromPerClientCap: [IPNetwork]

    public init(headerTimeout: TimeAmount = .seconds(20), idleTimeout: TimeAmount = .seconds(120),
                maxConnections: Int = 20_000, maxConnectionsPerClient: Int = 500, exemptFromPerClientCap: [IPNetwork] = []) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerClient = maxConnectionsPerClient
        self.exemptFromPerClientCap = exemptFromPerClientCap
    }

    /// The limits with `maxConnections` lowered, if needed, so that `descriptorsPerConnection` descriptors for
    /// each of them fit into `budget` descriptors.
    public func fitted(toDescriptors budget: Int, descriptorsPerConnection: Int) -> ConnectionLimits {
        var fitted = self
        fitted.maxConnections = max(1, min(maxConnections, budget / max(1, descriptorsPerConnection)))
        return fitted
    }
}

/// Counts a listener's open connections, in total and per client address, and turns away those over
/// ``ConnectionLimits``: the connection is closed as soon as it is accepted, before any handler reads from it.
public final class ConnectionGate: Sendable {
    private struct Counts {
        var total = 0
        var perClient: [String: Int] = [:]
        var refused = 0
    }

    private let limits: ConnectionLimits
    private let counts = NIOLockedValueBox(Counts())

    public init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// Open connections now, and how many were refused since start.
    public var figures: (open: Int, refused: Int) { counts.withLockedValue { ($0.total, $0.refused) } }

    /// Whether `channel` may stay open; when it may, it is counted until it closes.
    public func admit(_ channel: any Channel) -> Bool {
        let address = channel.remoteAddress?.ipAddress
        let capped = address.map { !limits.exemptFromPerClientCap.containsAddress($0) } ?? false
        let admitted = counts.withLockedValue { counts -> Bool in
            let fromClient = address.flatMap { counts.perClient[$0] } ?? 0
            guard counts.total < limits.maxConnections, !capped || fromClient < limits.maxConnectionsPerClient else {
                counts.refused += 1
                return false
            }
            counts.total += 1
            if let address { counts.perClient[address] = fromClient + 1 }
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { [counts] _ in
            counts.withLockedValue { counts in
                counts.total -= 1
                if let address {
                    let left = (counts.perClient[address] ?? 1) - 1
                    counts.perClient[address] = left > 0 ? left : nil
                }
            }
        }
        return true
    }
}

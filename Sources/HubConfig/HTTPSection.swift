/// `hub.http.*`: how long idle connections stay open and how many each listener (proxy and hub API) holds.
public struct HTTPSection: Sendable, Codable, Equatable {
    /// Seconds from accept until a request's headers must be complete (slowloris).
    public var headerTimeout: Double
    /// Seconds a kept-alive connection may wait for its next request.
    public var idleTimeout: Double
    /// Connections open at once per listener (lowered at start to what the descriptor limit allows).
    public var maxConnections: Int
    /// Connections open at once from one client address per listener (trusted proxies and, on the hub API,
    /// loopback are exempt).
    public var maxConnectionsPerClient: Int

    enum CodingKeys: String, CodingKey {
        case headerTimeout = "header_timeout", idleTimeout = "idle_timeout", maxConnections = "max_connections"
        case maxConnectionsPerClient = "max_connections_per_client"
    }

    func validate() throws {
        for (key, value) in [("header_timeout", headerTimeout), ("idle_timeout", idleTimeout)] where !(value > 0) {
            throw ConfigError("hub.http.\(key) must be greater than 0")
        }
        for (key, value) in [("max_connections", maxConnections), ("max_connections_per_client", maxConnectionsPerClient)]
        where value < 1 {
            throw ConfigError("hub.http.\(key) must be at least 1")
        }
    }
}

import Foundation

/// One proxy route as seen by the hub: a routespec mapped to an upstream target.
public struct Route: Sendable, Hashable {
    /// The normalized routespec, e.g. `"/user/alice"` (CHP strips the trailing slash, except for `"/"`).
    public var path: String
    /// The upstream URL, e.g. `"http://127.0.0.1:51234"`.
    public var target: String
    /// Free-form data stored with the route (`user`, `server_name`, `jupyterhub`, …).
    public var data: [String: RouteDataValue]
    /// The last time traffic went through this route.
    public var lastActivity: Date

    /// Creates a route value.
    public init(path: String, target: String, data: [String: RouteDataValue], lastActivity: Date) {
        self.path = path
        self.target = target
        self.data = data
        self.lastActivity = lastActivity
    }
}

/// The hub's proxy plug point (the equivalent of JupyterHub's `Proxy` class).
///
/// Implemented in-process by ``InProcessRouteTable``; an external configurable-http-proxy
/// can be driven through the same protocol by a REST client.
public protocol RouteTable: Sendable {
    /// Adds or replaces the route for `path` (a routespec such as `"/user/alice/"`).
    func addRoute(_ path: String, target: String, data: [String: RouteDataValue]) async throws
    /// Removes the route for `path`; removing an absent route is not an error.
    func deleteRoute(_ path: String) async throws
    /// All routes keyed by normalized path.
    func allRoutes() async throws -> [String: Route]
}

/// Errors raised by route tables.
public enum RouteTableError: Error, Sendable, Equatable {
    /// The target is not an `http://host:port[/path]` URL.
    case invalidTarget(String)
}

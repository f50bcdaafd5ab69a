import Foundation
import NIOConcurrencyHelpers

/// The in-process route table used by ``ProxyServer`` and ``RouteAPIServer``.
///
/// Routes are keyed by normalized path (see ``RoutePath/normalize(_:)``). Lookups do a
/// longest-prefix match by path segment with O(segments) dictionary probes under a lock;
/// activity timestamps are per-route atomics so touching a route never takes the lock.
public final class InProcessRouteTable: RouteTable, Sendable {
    private let storage = NIOLockedValueBox<[String: RouteEntry]>([:])

    /// Creates an empty table.
    public init() {}

    // MARK: - Synchronous API

    /// Adds or replaces a route. Throws ``RouteTableError/invalidTarget(_:)`` for unusable targets.
    public func setRoute(_ path: String, target: String, data: [String: RouteDataValue] = [:]) throws {
        guard let parsed = UpstreamTarget(target) else { throw RouteTableError.invalidTarget(target) }
        let key = RoutePath.normalize(path)
        let entry = RouteEntry(path: key, targetString: target, target: parsed, data: data, now: Date())
        storage.withLockedValue { $0[key] = entry }
    }

    /// Removes a route; returns whether it existed.
    @discardableResult
    public func removeRoute(_ path: String) -> Bool {
        let key = RoutePath.normalize(path)
        return storage.withLockedValue { $0.removeValue(forKey: key) != nil }
    }

    /// The route stored exactly at `path` (after normalization), without prefix matching.
    public func route(at path: String) -> Route? {
        let key = RoutePath.normalize(path)
        return storage.withLockedValue { $0[key] }?.route
    }

    /// Routes whose last activity is older than `inactiveSince` (all routes when `nil`).
    public func routes(inactiveSince: Date? = nil) -> [String: Route] {
        let entries = storage.withLockedValue { Array($0.values) }
        var result: [String: Route] = [:]
        result.reserveCapacity(entries.count)
        for entry in entries {
            let route = entry.route
            if let cutoff = inactiveSince, route.lastActivity >= cutoff { continue }
            result[entry.path] = route
        }
        return result
    }

    /// Number of routes.
    public var count: Int { storage.withLockedValue { $0.count } }

    /// Longest-prefix match by path segment for a request path (no query string).
    ///
    /// `"/user/alice/api"` tries `"/user/alice/api"`, `"/user/alice"`, `"/user"`, then `"/"`.
    public func lookup(path: String) -> RouteMatch? {
        let key = RoutePath.normalize(path)
        let entry: RouteEntry? = storage.withLockedValue { table in
            if let hit = table[key] { return hit }
            var candidate = Substring(key)
            while let slash = candidate.lastIndex(of: "/") {
                if slash == candidate.startIndex { break }
                candidate = candidate[..<slash]
                if let hit = table[String(candidate)] { return hit }
            }
            return key == "/" ? nil : table["/"]
        }
        return entry.map(RouteMatch.init(entry:))
    }

    // MARK: - RouteTable

    public func addRoute(_ path: String, target: String, data: [String: RouteDataValue]) async throws {
        try setRoute(path, target: target, data: data)
    }

    public func deleteRoute(_ path: String) async throws {
        removeRoute(path)
    }

    public func allRoutes() async throws -> [String: Route] {
        routes(inactiveSince: nil)
    }
}

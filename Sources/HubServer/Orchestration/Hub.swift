import Foundation
import HubConfig
import HubModel
import HubProxy
import HubSpawner
import HubStore
import Logging
import Prometheus

/// The hub's orchestration core: owns the lifecycle of every server and keeps store, spawner
/// and route table in step. All server state changes go through this actor.
public actor Hub {
    /// In-memory state of one server (default or named) of one user.
    struct ServerEntry {
        var lifecycle: ServerLifecycle = .stopped
        var progress = ProgressLog()
        var spawnTask: Task<Void, Never>?
        var stopTask: Task<Void, Never>?
        var spawnStarted: ContinuousClock.Instant?
        /// Receives the port a batch job reports for this spawn.
        var portReport = PortReport()
    }

    /// The live configuration: a reload applies limits, timeouts and the servers' environment to what starts next
    /// (restart-only keys never change here).
    let live: LiveSettings
    nonisolated var config: HubConfiguration { live.current.config }
    let store: HubStore
    let spawner: any Spawner
    let routes: any RouteTable
    let metrics: HubMetrics
    let logger: Logger
    /// What started servers get in their environment, from the live configuration.
    nonisolated var environment: ServerEnvironment {
        let config = self.config
        return ServerEnvironment(apiURL: HubURLs.apiURLForServers(config) + "/hub/api", publicURL: config.hub.publicURL,
                                 urls: serverURLs, defaultURL: config.spawner.defaultURL,
                                 caFile: config.hub.apiTLS.caFile, extra: config.spawner.environment)
    }
    let hubTarget: String
    /// Server URLs and route specs (`hub.subdomain_host` is restart-only).
    let serverURLs: ServerURLs

    /// Keyed by `ServerRecord.fullName` (`alice/`, `alice/name`).
    var entries: [String: ServerEntry] = [:]

    public init(live: LiveSettings, store: HubStore, spawner: any Spawner, routes: any RouteTable,
                metrics: HubMetrics, logger: Logger) {
        self.live = live
        self.store = store
        self.spawner = spawner
        self.routes = routes
        self.metrics = metrics
        self.logger = logger
        self.hubTarget = HubURLs.hubTarget(live.current.config)
        self.serverURLs = ServerURLs(live.current.config)
    }

    /// How often expired tokens and authorization codes are deleted, in seconds.
    static let purgeInterval: Double = 300

    /// Deletes expired API/OAuth tokens and authorization codes (the background loop, every ``purgeInterval``).
    func purgeExpired() async {
        do {
            try await store.purgeExpired()
        } catch {
            logger.warning("cannot purge expired tokens and codes: \(error)")
        }
    }

    /// The intervals of the background loops, as currently configured.
    func loopIntervals() -> (poll: Double, activity: Double) {
        (config.spawner.pollInterval, config.hub.lastActivityInterval)
    }

    static func key(_ user: String, _ server: String) -> String { "\(user)/\(server)" }

    /// The lifecycle of a server.
    public func lifecycle(user: String, server: String) -> ServerLifecycle {
        entries[Self.key(user, server)]?.lifecycle ?? .stopped
    }

    /// The progress log of the current or last spawn, if any.
    func progress(user: String, server: String) -> ProgressLog? {
        entries[Self.key(user, server)]?.progress
    }

    /// Lifecycles of all servers of one user, by server name.
    func lifecycles(ofUser user: String) -> [String: ServerLifecycle] {
        var result: [String: ServerLifecycle] = [:]
        for (key, entry) in entries where key.hasPrefix(user + "/") {
            result[String(key.dropFirst(user.count + 1))] = entry.lifecycle
        }
        return result
    }

    /// Lifecycles of every server: user name → server name → lifecycle.
    func lifecyclesByUser() -> [String: [String: ServerLifecycle]] {
        var result: [String: [String: ServerLifecycle]] = [:]
        for (key, entry) in entries {
            guard let slash = key.firstIndex(of: "/") else { continue }
            result[String(key[..<slash]), default: [:]][String(key[key.index(after: slash)...])] = entry.lifecycle
        }
        return result
    }

    /// What became of a port report.
    enum PortReportOutcome: Sendable { case accepted, alreadyReported, noPendingServer }

    /// Records a port reported by the spawning server that holds the API token `tokenID`.
    func reportPort(_ port: Int, tokenID: Int64) async throws -> PortReportOutcome {
        for record in try await store.allServers() where record.tokenID == tokenID {
            guard let entry = entries[record.fullName], entry.lifecycle == .spawning else { return .noPendingServer }
            return await entry.portReport.report(port) ? .accepted : .alreadyReported
        }
        return .noPendingServer
    }

    /// Number of servers spawning right now.
    var pendingSpawns: Int { entries.values.filter { $0.lifecycle == .spawning }.count }

    /// Number of servers that are active (running or on their way).
    var activeServers: Int { entries.values.filter { $0.lifecycle.active }.count }

    func transition(_ key: String, _ event: ServerLifecycle.Event) {
        var entry = entries[key] ?? ServerEntry()
        do {
            entry.lifecycle = try entry.lifecycle.applying(event)
        } catch {
            logger.warning("server \(key): \(error)")
        }
        entries[key] = entry
        metrics.runningServers.set(Int64(entries.values.filter { $0.lifecycle == .running }.count))
    }

    /// Adds the hub's own default route (`/` → hub).
    public func addHubRoute() async throws {
        try await routes.addRoute("/", target: hubTarget, data: ["hub": .bool(true), "slurmhub": .bool(true)])
    }

    /// Removes a user with their servers (stopping them first).
    func deleteUser(_ name: String) async throws {
        for (server, lifecycle) in lifecycles(ofUser: name) where lifecycle.active {
            try await stop(user: name, server: server)
            await waitUntilStopped(user: name, server: server)
        }
        for key in entries.keys where key.hasPrefix(name + "/") { entries[key] = nil }
        try await store.deleteUser(named: name)
    }

    /// Waits until the server is no longer stopping.
    func waitUntilStopped(user: String, server: String) async {
        if let task = entries[Self.key(user, server)]?.stopTask { await task.value }
    }
}

/// URLs derived from the configuration.
enum HubURLs {
    /// Where the proxy sends `/hub/` traffic: the API bind, with a wildcard host replaced by loopback.
    static func hubTarget(_ config: HubConfiguration) -> String {
        let bind = config.hub.apiBind
        let host = ["0.0.0.0", "::", ""].contains(bind.host) ? "127.0.0.1" : bind.host
        let scheme = config.hub.apiTLS.enabled ? "https" : "http"
        return "\(scheme)://\(ListenAddress("\(host):\(bind.port)").map(\.description) ?? host)"
    }

    /// The base of absolute URLs the hub writes (pagination's `next.url`): `hub.public_url`, else the hub's API
    /// address as servers reach it. Never a request's `Host` or `X-Forwarded-*` headers, which a client chooses.
    static func absoluteBase(_ config: HubConfiguration) -> String {
        let configured = config.hub.publicURL
        guard !configured.isEmpty else { return apiURLForServers(config) }
        return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
    }

    /// A redirect target as the hub sends it: a path (`/…`) keeps one leading slash, so that no path the client
    /// chose (`/hub//evil.example/…`) becomes a protocol-relative URL (`//evil.example/…`) or a backslash variant
    /// browsers read the same way; absolute URLs pass unchanged.
    static func sameOriginLocation(_ location: String) -> String {
        guard location.hasPrefix("/") || location.hasPrefix("\\") else { return location }
        let rest = location.drop { $0 == "/" || $0 == "\\" }
        return "/" + rest
    }

    /// Base URL the servers use to reach the hub (`hub.api_url_for_servers`, else the hub target).
    static func apiURLForServers(_ config: HubConfiguration) -> String {
        let configured = config.hub.apiURLForServers
        let base = configured.isEmpty ? hubTarget(config) : configured
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }
}

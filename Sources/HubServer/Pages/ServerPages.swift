import Foundation
import HubConfig
import HubModel
import HubSpawner
import Hummingbird

/// `/hub/home`, `/hub/stop…`, `/hub/spawn-pending…`, `/hub/error/{code}`.
struct ServerPages {
    let components: HubComponents

    func register(on router: RouterGroup<HubRequestContext>) {
        router.get("/hub/home", use: home)
        router.post("/hub/stop/:name", use: stop)
        router.post("/hub/stop/:name/:server", use: stop)
        router.get("/hub/spawn-pending/:name", use: pending)
        router.get("/hub/spawn-pending/:name/:server", use: pending)
        router.get("/hub/error/:code", use: error)
    }

    @Sendable func home(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let principal = try context.pagePrincipal(), let user = principal.user else {
            return HubComponents.loginRedirect(request)
        }
        var lifecycles = await components.hub.lifecycles(ofUser: user.name)
        if lifecycles[""] == nil { lifecycles[""] = .stopped }
        let records = Dictionary(try await components.users.servers(of: user).map { ($0.name, $0) }) { first, _ in first }
        let hasForm = components.servers.hasOptionsForm
        let servers: [[String: Any]] = lifecycles.sorted { $0.key < $1.key }.map { name, lifecycle in
            var row: [String: Any] = [
                "name": name, "display_name": name.isEmpty ? "default" : name,
                "status": lifecycle.label, "status_class": Self.statusClass(lifecycle),
                "last_activity": PagePaths.time(records[name]?.lastActivity),
                "running": lifecycle.ready, "pending": lifecycle.pending == "spawn", "active": lifecycle.active,
                "url": components.serverURLs.url(user: user.name, server: name),
                "pending_url": PagePaths.pending(user: user.name, server: name),
                "stop_url": PagePaths.stop(user: user.name, server: name),
                "spawn_url": PagePaths.spawn(user: user.name, server: name),
                "form": hasForm,
            ]
            if case .failed(let message) = lifecycle { row["failure"] = message }
            return row
        }
        return components.page(request, "home", title: "Home", user: user, values: [
            "user": user.name, "user_quoted": PathQuoting.quote(user.name), "servers": servers,
            "allow_named": components.config.hub.allowNamedServers, "form": hasForm,
        ])
    }

    static func statusClass(_ lifecycle: ServerLifecycle) -> String {
        switch lifecycle {
        case .running: return "ok"
        case .spawning, .checking, .stopping: return "busy"
        case .failed: return "bad"
        case .stopped: return "off"
        }
    }

    /// Stops a server with the REST API's scope (`delete:servers`); back to `next` (a local path) or home.
    @Sendable func stop(_ request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await request.decodeForm()
        guard let principal = try context.pagePrincipal() else {
            return HubComponents.loginRedirect(request)
        }
        let (user, server) = try await PagePaths.target(components, context)
        try await components.servers.stop(as: principal, user: user, server: server)
        return Response.redirect(to: HubComponents.safeNext(form["next"]) ?? "/hub/home", type: .normal)
    }

    @Sendable func pending(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let principal = try context.pagePrincipal(), let me = principal.user else {
            return HubComponents.loginRedirect(request)
        }
        let (user, server) = try await PagePaths.target(components, context)
        try principal.require("read:servers", onServer: server, of: user.name)
        let prefix = ServerEnvironment.prefix(user: user.name, server: server)
        let url = components.serverURLs.url(user: user.name, server: server)
        let lifecycle = await components.hub.lifecycle(user: user.name, server: server)
        if lifecycle.ready { return Response.redirect(to: url, type: .found) }
        if lifecycle == .stopped {
            let (xsrf, cookie) = components.xsrfToken(request)
            var response = components.pages.errorPage(
                status: .failedDependency424, message: "Server \(prefix) is not running.", user: me,
                restartURL: PagePaths.spawn(user: user.name, server: server), xsrf: xsrf)
            response.setCookies([cookie])
            return response
        }
        let log = await components.hub.progress(user: user.name, server: server)
        let events = log?.read(from: 0).events ?? []
        let latest = events.last?.message ?? "Waiting for the spawner"
        var values: [String: Any] = [
            "display_name": server.isEmpty ? "\(user.name == me.name ? "your" : user.name + "'s") server" : server,
            "message": latest, "log": events.map(\.message), "progress": events.compactMap(\.progress).last ?? 0,
            "stop_url": PagePaths.stop(user: user.name, server: server),
            "spawn_url": PagePaths.spawn(user: user.name, server: server), "url": url,
            "progress_url_json": JSONValue.string(PagePaths.progress(user: user.name, server: server)).jsonString(),
            "url_json": JSONValue.string(url).jsonString(),
            "details": PendingDetails(messages: events.map(\.message)).values,
        ]
        if case .failed(let message) = lifecycle {
            values["failed"] = "Spawn failed: \(message)"
        } else {
            values["refresh_seconds"] = 5
        }
        return components.page(request, "spawn_pending", title: "Starting", user: me, values: values)
    }

    /// The proxy's error target: `/hub/error/{code}?url=…`.
    @Sendable func error(_ request: Request, context: HubRequestContext) async throws -> Response {
        let code = Int(context.parameters.get("code") ?? "") ?? 404
        let url = request.uri.queryParameters["url"].map { String($0).removingPercentEncoding ?? String($0) } ?? ""
        let status = HTTPResponse.Status(code: (400...599).contains(code) ? code : 404)
        let message = code == 503
            ? "The server at \(url) is not answering. It may be starting or have stopped; try again from your home page."
            : "Nothing is served at \(url)."
        return components.pages.errorPage(status: status, message: message, user: context.loginUser)
    }
}

/// The pending job's queue details, read from the spawner's progress messages
/// (`…(reason: Resources); estimated start 2026-…`, `Job 12 running on node7; …`).
struct PendingDetails {
    var reason: String?
    var estimatedStart: String?
    var node: String?

    init(messages: [String]) {
        for message in messages {
            if let match = message.firstMatch(of: /\(reason: ([^)]+)\)/) { reason = String(match.1) }
            if let match = message.firstMatch(of: /estimated start ([^;]+)/) { estimatedStart = String(match.1) }
            if let match = message.firstMatch(of: /running on ([^;\s]+)/) { node = String(match.1); reason = nil }
        }
    }

    var values: [String: String] {
        var values: [String: String] = [:]
        values["reason"] = reason
        values["estimated_start"] = estimatedStart
        values["node"] = node
        return values
    }
}

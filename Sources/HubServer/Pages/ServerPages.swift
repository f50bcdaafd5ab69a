import Foundation
import HubModel
import Hummingbird

/// `/hub/home`, `/hub/spawn…`, `/hub/stop…`, `/hub/spawn-pending…`, `/hub/user/…`, `/hub/error/{code}`.
struct ServerPages {
    let components: HubComponents

    func register(on router: Router<HubRequestContext>) {
        router.get("/hub/home", use: home)
        router.get("/hub/spawn", use: spawnDefault)
        router.post("/hub/spawn/:name", use: spawn)
        router.post("/hub/spawn/:name/:server", use: spawn)
        router.post("/hub/stop/:name", use: stop)
        router.post("/hub/stop/:name/:server", use: stop)
        router.get("/hub/spawn-pending/:name", use: pending)
        router.get("/hub/spawn-pending/:name/:server", use: pending)
        router.get("/hub/error/:code", use: error)
    }

    func requireUser(_ request: Request) async throws -> User? {
        try await components.cookieUser(request)
    }

    func loginRedirect(_ request: Request) -> Response {
        Response.redirect(to: "/hub/login?next=\(PathQuoting.quote(request.uri.description))", type: .found)
    }

    /// The target user of a page (self, or anyone for admins).
    func target(_ me: User, _ context: HubRequestContext) async throws -> (User, String) {
        let user = try await components.existingUser(try context.parameters.require("name"))
        guard user.name == me.name || me.admin else { throw APIError(.forbidden, "You may only manage your own servers") }
        let server = context.parameters.get("server").map { $0.removingPercentEncoding ?? $0 } ?? ""
        try ServerNamePolicy.validate(server)
        return (user, server)
    }

    @Sendable func home(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let user = try await requireUser(request) else { return loginRedirect(request) }
        var lifecycles = await components.hub.lifecycles(ofUser: user.name)
        if lifecycles[""] == nil { lifecycles[""] = .stopped }
        let records = Dictionary(try await components.store.allServers().filter { $0.userName == user.name }.map { ($0.name, $0) }) { a, _ in a }
        let (xsrf, cookie) = components.xsrfToken(request)
        let servers: [[String: Any]] = lifecycles.sorted { $0.key < $1.key }.map { name, lifecycle in
            [
                "display_name": name.isEmpty ? "default" : name,
                "status": lifecycle.label,
                "last_activity": records[name]?.lastActivity.map { Timestamp.format($0) } ?? "—",
                "running": lifecycle.ready, "pending": lifecycle.pending != nil, "active": lifecycle.active,
                "url": ServerEnvironment.prefix(user: user.name, server: name),
                "pending_url": "/hub/spawn-pending/\(PathQuoting.quote(user.name))\(name.isEmpty ? "" : "/" + PathQuoting.quote(name))",
                "user_quoted": PathQuoting.quote(user.name),
                "server_path": name.isEmpty ? "" : "/" + PathQuoting.quote(name),
                "xsrf": xsrf,
            ]
        }
        var response = components.pages.page("home", title: "Home", user: user.name, values: [
            "user": user.name, "user_quoted": PathQuoting.quote(user.name), "servers": servers, "xsrf": xsrf,
            "allow_named": components.config.hub.allowNamedServers,
        ])
        response.setCookies([cookie])
        return response
    }

    /// `GET /hub/spawn`: start the default server with the last options (the full form comes with the Slurm UI).
    @Sendable func spawnDefault(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let user = try await requireUser(request) else { return loginRedirect(request) }
        return Response.redirect(to: "/hub/home#\(PathQuoting.quote(user.name))", type: .found)
    }

    @Sendable func spawn(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let me = try await requireUser(request) else { return loginRedirect(request) }
        let form = try await request.decodeForm()
        try components.checkXSRF(request, form: form)
        var (user, server) = try await target(me, context)
        if server.isEmpty, let named = form["server_name"], !named.isEmpty {
            try ServerNamePolicy.validate(named)
            server = named
        }
        let lifecycle = await components.hub.lifecycle(user: user.name, server: server)
        if !lifecycle.active {
            _ = try await ServersAPI(components: components).startServer(user: user, server: server, options: nil)
        }
        let suffix = server.isEmpty ? "" : "/" + PathQuoting.quote(server)
        return Response.redirect(to: "/hub/spawn-pending/\(PathQuoting.quote(user.name))\(suffix)", type: .normal)
    }

    @Sendable func stop(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let me = try await requireUser(request) else { return loginRedirect(request) }
        let form = try await request.decodeForm()
        try components.checkXSRF(request, form: form)
        let (user, server) = try await target(me, context)
        try await components.hub.stop(user: user.name, server: server)
        return Response.redirect(to: "/hub/home", type: .normal)
    }

    @Sendable func pending(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let me = try await requireUser(request) else { return loginRedirect(request) }
        let (user, server) = try await target(me, context)
        let prefix = ServerEnvironment.prefix(user: user.name, server: server)
        let lifecycle = await components.hub.lifecycle(user: user.name, server: server)
        if lifecycle.ready { return Response.redirect(to: prefix, type: .found) }
        let (xsrf, cookie) = components.xsrfToken(request)
        let suffix = server.isEmpty ? "" : "/" + PathQuoting.quote(server)
        if lifecycle == .stopped {
            return components.pages.errorPage(
                status: .failedDependency424, message: "Server \(prefix) is not running.",
                restartURL: "/hub/spawn/\(PathQuoting.quote(user.name))\(suffix)", xsrf: xsrf)
        }
        let progressURL = server.isEmpty
            ? "/hub/api/users/\(PathQuoting.quote(user.name))/server/progress"
            : "/hub/api/users/\(PathQuoting.quote(user.name))/servers/\(PathQuoting.quote(server))/progress"
        let message = await components.hub.progress(user: user.name, server: server)?.latestMessage ?? ""
        var response = components.pages.page("spawn_pending", title: "Starting", user: me.name, values: [
            "display_name": server.isEmpty ? "your server" : server, "message": message, "xsrf": xsrf,
            "user_quoted": PathQuoting.quote(user.name), "server_path": suffix, "url": prefix,
            "progress_url_json": JSONValue.string(progressURL).jsonString(), "url_json": JSONValue.string(prefix).jsonString(),
        ])
        response.setCookies([cookie])
        return response
    }

    /// The proxy's error target: `/hub/error/{code}?url=…`.
    @Sendable func error(_ request: Request, context: HubRequestContext) async throws -> Response {
        let code = Int(context.parameters.get("code") ?? "") ?? 404
        let url = request.uri.queryParameters["url"].map { String($0).removingPercentEncoding ?? String($0) } ?? ""
        let status = HTTPResponse.Status(code: (400...599).contains(code) ? code : 404)
        let message = code == 503
            ? "The server at \(url) is not answering. It may be starting or have stopped; try again from your home page."
            : "Nothing is served at \(url)."
        return components.pages.errorPage(status: status, message: message)
    }
}

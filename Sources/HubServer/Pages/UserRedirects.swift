import Foundation
import HubModel
import Hummingbird

/// Requests for `/user/…` that reach the hub (no route in the proxy) and `/hub/user/…`.
struct UserRedirects {
    let components: HubComponents
    static let maxRedirects = 5

    func register(on router: RouterGroup<HubRequestContext>) {
        router.get("/") { _, _ in Response.redirect(to: "/hub/home", type: .found) }
        router.get("/hub") { _, _ in Response.redirect(to: "/hub/home", type: .found) }
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            router.on("/user/**", method: method) { request, _ in
                var location = "/hub" + request.uri.path
                if let query = request.uri.query { location += "?" + query }
                return Response.redirect(to: location, type: method == .get ? .found : .temporary)
            }
            router.on("/hub/user/:name/**", method: method, use: userURL)
        }
        router.get("/hub/user-redirect/**", use: userRedirect)
    }

    @Sendable func userRedirect(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let me = context.loginUser else {
            return Response.redirect(to: "/hub/login?next=\(PathQuoting.quote(request.uri.description))", type: .found)
        }
        let rest = request.uri.path.dropFirst("/hub/user-redirect/".count)
        var location = userOrigin(me.name) + "/user/\(PathQuoting.quote(me.name))/\(rest)"
        if let query = request.uri.query { location += "?" + query }
        return Response.redirect(to: location, type: .found)
    }

    /// With `hub.subdomain_host`, the origin of the user's servers (their `/user/…` paths live there); else "".
    private func userOrigin(_ user: String) -> String { components.serverURLs.origins?.origin(forUser: user) ?? "" }

    @Sendable func userURL(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let me = context.loginUser else {
            if request.method == .get {
                return Response.redirect(to: "/hub/login?next=\(PathQuoting.quote(request.uri.description))", type: .found)
            }
            throw HubError.missingCredentials
        }
        let owner = try await components.users.existing(try context.parameters.require("name"))
        guard owner.name == me.name || me.admin else { throw HubError.forbidden("This is not your server") }
        let rest = context.parameters.getCatchAll()
        let lifecycles = await components.hub.lifecycles(ofUser: owner.name)
        var server = ""
        if let first = rest.first.map({ String($0).removingPercentEncoding ?? String($0) }), lifecycles[first] != nil,
           !first.isEmpty {
            server = first
        }
        let prefix = ServerEnvironment.prefix(user: owner.name, server: server)
        let lifecycle = lifecycles[server] ?? .stopped
        let suffix = server.isEmpty ? "" : "/" + PathQuoting.quote(server)
        if lifecycle.ready {
            let redirects = Int(request.uri.queryParameters["redirects"] ?? "0") ?? 0
            guard redirects < Self.maxRedirects else {
                throw HubError.unavailable("Redirect loop detected: the proxy does not route \(prefix)")
            }
            var query = request.uri.queryParameters.filter { $0.key != "redirects" }.map { "\($0.key)=\($0.value)" }
            query.append("redirects=\(redirects + 1)")
            let path = String(request.uri.path.dropFirst("/hub".count))
            try await Task.sleep(for: .milliseconds(redirects * 250))
            return Response.redirect(to: userOrigin(owner.name) + path + "?" + query.joined(separator: "&"), type: .found)
        }
        if lifecycle.pending != nil || { if case .failed = lifecycle { return true } else { return false } }() {
            return Response.redirect(to: "/hub/spawn-pending/\(PathQuoting.quote(owner.name))\(suffix)", type: .normal)
        }
        let restart = "/hub/home"
        let message = "JupyterHub server no longer running at \(request.uri.path.dropFirst("/hub".count)). Restart the server at \(restart)"
        let apiLike = request.method != .get || rest.contains("api")
            || (request.headers[.accept]?.contains("application/json") ?? false)
        if apiLike { return JSONResponse.make(.object(["message": .string(message)]), status: .failedDependency424) }
        let (xsrf, cookie) = components.xsrfToken(request)
        var response = components.pages.errorPage(
            status: .failedDependency424, message: "Your server at \(prefix) is not running.", user: me,
            restartURL: "/hub/spawn/\(PathQuoting.quote(owner.name))\(suffix)", xsrf: xsrf)
        response.setCookies([cookie])
        return response
    }
}

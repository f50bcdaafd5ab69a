import Foundation
import HubAuth
import HubModel
import Hummingbird

/// `/hub/login` and `/hub/logout`.
struct LoginPages {
    let components: HubComponents

    func register(on router: Router<HubRequestContext>) {
        router.get("/hub/login", use: loginForm)
        router.post("/hub/login", use: login)
        router.get("/hub/logout", use: logout)
        router.post("/hub/logout", use: logout)
    }

    @Sendable func loginForm(_ request: Request, context: HubRequestContext) async throws -> Response {
        let next = HubComponents.safeNext(request.uri.queryParameters["next"].map(String.init))
        if try await components.cookieUser(request) != nil {
            return Response.redirect(to: next ?? "/hub/home", type: .found)
        }
        return renderForm(request, next: next, error: nil, status: .ok)
    }

    func renderForm(_ request: Request, next: String?, error: String?, status: HTTPResponse.Status) -> Response {
        let (xsrf, cookie) = components.xsrfToken(request)
        var values: [String: Any] = ["xsrf": xsrf, "next_quoted": PathQuoting.quote(next ?? "")]
        if let error { values["error"] = error }
        var response = components.pages.page("login", title: "Sign in", user: nil, values: values, status: status)
        response.setCookies([cookie])
        return response
    }

    @Sendable func login(_ request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await request.decodeForm()
        try components.checkXSRF(request, form: form)
        let next = HubComponents.safeNext(request.uri.queryParameters["next"].map(String.init) ?? form["next"])
        guard let authenticated = await components.authenticator.authenticate(form: form) else {
            components.logger.warning("failed login for \(UsernamePolicy.quoted(form["username"] ?? ""))")
            return renderForm(request, next: next, error: "Invalid username or password", status: .forbidden)
        }
        let isAdmin = authenticated.admin ?? components.config.hub.adminUsers.contains(authenticated.name)
        var user: User
        if let existing = try await components.store.user(named: authenticated.name) {
            user = existing
            if user.admin != isAdmin, authenticated.admin != nil || components.config.hub.adminUsers.contains(user.name) {
                user.admin = isAdmin
                try await components.store.update(user)
            }
        } else {
            user = try await components.store.insert(User(name: authenticated.name, admin: isAdmin))
        }
        components.logger.info("user \(user.name) logged in")
        var response = Response.redirect(to: next ?? "/hub/home", type: .found)
        response.setCookies(components.loginCookies(for: user, sessionID: Secrets.newToken()))
        return response
    }

    /// Clears the login and revokes every token issued to this browser session (servers' OAuth tokens).
    @Sendable func logout(_ request: Request, context: HubRequestContext) async throws -> Response {
        if let session = request.cookies[CookieNames.sessionID]?.value, !session.isEmpty {
            try await components.store.deleteTokens(sessionID: session)
        }
        var response = Response.redirect(to: "/hub/login", type: .found)
        response.setCookies(components.logoutCookies())
        return response
    }
}

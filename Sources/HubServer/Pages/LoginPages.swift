import Foundation
import HubAuth
import HubConfig
import HubModel
import Hummingbird
import Logging

/// `/hub/login` and `/hub/logout`; with a redirect authenticator (OAuth/OIDC) also
/// `/hub/oauth_login` and `/hub/oauth_callback` (``OAuthLoginPages``).
struct LoginPages {
    let components: HubComponents

    /// The authenticator, when it logs users in through an identity provider.
    var redirectAuthenticator: (any RedirectAuthenticator)? { components.authenticator as? any RedirectAuthenticator }

    func register(on router: RouterGroup<HubRequestContext>) {
        router.get("/hub/login", use: loginForm)
        router.post("/hub/login", use: login)
        router.get("/hub/logout", use: logout)
        router.post("/hub/logout", use: logout)
        if let redirectAuthenticator {
            OAuthLoginPages(components: components, authenticator: redirectAuthenticator).register(on: router)
        }
    }

    @Sendable func loginForm(_ request: Request, context: HubRequestContext) async throws -> Response {
        let next = HubComponents.safeNext(request.uri.queryParameters["next"].map(String.init))
        if context.loginUser != nil {
            return Response.redirect(to: next ?? "/hub/home", type: .found)
        }
        if let redirectAuthenticator, redirectAuthenticator.autoLogin {
            return Response.redirect(to: OAuthLoginPages.startURL(next: next), type: .found)
        }
        return renderForm(request, next: next, error: nil, status: .ok)
    }

    /// The login page: the dev form, or the "Sign in with …" button of a redirect authenticator.
    func renderForm(_ request: Request, next: String?, error: String?, status: HTTPResponse.Status) -> Response {
        let (xsrf, cookie) = components.xsrfToken(request)
        var values: [String: Any] = ["xsrf": xsrf, "next_quoted": PathQuoting.quote(next ?? "")]
        if let redirectAuthenticator {
            values["oauth"] = ["login_service": redirectAuthenticator.loginService,
                               "login_url": OAuthLoginPages.startURL(next: next)]
        } else {
            values["form"] = true
        }
        if let error { values["error"] = error }
        var response = components.pages.page("login", title: "Sign in", user: nil, values: values, status: status)
        response.setCookies([cookie])
        return response
    }

    @Sendable func login(_ request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await request.decodeForm()
        try components.checkXSRF(request, form: form)
        let next = HubComponents.safeNext(request.uri.queryParameters["next"].map(String.init) ?? form["next"])
        if let redirectAuthenticator {
            return renderForm(request, next: next, error: "This hub signs you in with \(redirectAuthenticator.loginService).",
                              status: .forbidden)
        }
        guard let authenticated = await components.authenticator.authenticate(form: form) else {
            components.logger.warning("failed login for \(UsernamePolicy.quoted(form["username"] ?? ""))")
            return renderForm(request, next: next, error: "Invalid username or password", status: .forbidden)
        }
        let user = try await establishUser(authenticated)
        var response = Response.redirect(to: next ?? "/hub/home", type: .found)
        response.setCookies(components.loginCookies(for: user, sessionID: Secrets.newToken()))
        return response
    }

    /// The user row for someone who just authenticated: created on first login; admin follows the
    /// authenticator's word, else `hub.admin_users`, else stays as it was.
    func establishUser(_ authenticated: AuthenticatedUser) async throws -> User {
        let user = try await components.users.establishLogin(
            authenticated, configuredAdmin: components.config.hub.adminUsers.contains(authenticated.name))
        components.logger.info("user \(user.name) logged in\(user.admin ? " (admin)" : "")")
        return user
    }

    /// Clears the login and revokes every token issued to this browser session (servers' OAuth tokens).
    @Sendable func logout(_ request: Request, context: HubRequestContext) async throws -> Response {
        if let session = components.cookiePolicy.value(CookieNames.sessionID, in: request), !session.isEmpty {
            try await components.users.endSession(session)
        }
        var response = Response.redirect(to: "/hub/login", type: .found)
        response.setCookies(components.logoutCookies())
        return response
    }
}

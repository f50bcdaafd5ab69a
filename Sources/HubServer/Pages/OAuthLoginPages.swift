import Foundation
import HubAuth
import HubModel
import Hummingbird
import Logging

extension CookieNames {
    /// The pending OAuth login (state, nonce, PKCE verifier, next), signed; lives ten minutes.
    static let oauthState = "slurmhub-oauth-state"
}

/// `/hub/oauth_login` sends the browser to the identity provider; `/hub/oauth_callback` completes
/// the login. The pending login travels in a signed, HttpOnly, SameSite=Lax cookie scoped to `/hub/`,
/// so a callback only succeeds in the browser that started it, once, within ten minutes.
struct OAuthLoginPages {
    let components: HubComponents
    let authenticator: any RedirectAuthenticator

    func register(on router: RouterGroup<HubRequestContext>) {
        router.get("/hub/oauth_login", use: start)
        router.get("/hub/oauth_callback", use: callback)
    }

    /// `/hub/oauth_login?next=…` (only a local `next` is kept).
    static func startURL(next: String?) -> String {
        guard let next else { return "/hub/oauth_login" }
        return "/hub/oauth_login?next=" + PathQuoting.quote(next)
    }

    @Sendable func start(_ request: Request, context: HubRequestContext) async throws -> Response {
        let next = HubComponents.safeNext(request.uri.queryParameters["next"].map(String.init))
        let redirect: LoginRedirect
        do {
            redirect = try await authenticator.loginRedirect(next: next)
        } catch let error as LoginError {
            components.logger.error("cannot start OAuth login: \(error.detail)")
            return errorPage(error)
        }
        var response = Response.redirect(to: redirect.url, type: .found)
        let value = components.cookies.sign(name: CookieNames.oauthState, value: redirect.pending.encoded())
        response.setCookie(stateCookie(value: value, maxAge: Int(PendingLogin.lifetime)))
        return response
    }

    @Sendable func callback(_ request: Request, context: HubRequestContext) async throws -> Response {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        let pending = components.cookiePolicy.value(CookieNames.oauthState, in: request)
            .flatMap { components.cookies.verify(name: CookieNames.oauthState, signed: $0, maxAge: PendingLogin.lifetime) }
            .flatMap(PendingLogin.init(encoded:))
        let authenticated: AuthenticatedUser
        do {
            authenticated = try await authenticator.completeLogin(callback: parameters, pending: pending)
        } catch let error as LoginError {
            switch error.kind {
            case .refused: components.logger.warning("login refused: \(error.detail)")
            case .unavailable: components.logger.error("login failed: \(error.detail)")
            case .invalidRequest, .failed: components.logger.warning("login failed: \(error.detail)")
            }
            var response = errorPage(error)
            response.setCookie(stateCookie(value: "", maxAge: 0))
            return response
        }
        let user = try await LoginPages(components: components).establishUser(authenticated)
        if let state = authenticated.authState {
            do {
                try await authenticator.keepAuthState(state, for: user.name)
            } catch {
                components.logger.error("cannot store auth state of \(user.name): \(error)")
            }
        }
        var response = Response.redirect(to: HubComponents.safeNext(pending?.next) ?? "/hub/home", type: .found)
        response.setCookies(components.loginCookies(for: user, sessionID: Secrets.newToken())
            + [stateCookie(value: "", maxAge: 0)])
        return response
    }

    func stateCookie(value: String, maxAge: Int) -> Cookie {
        components.cookiePolicy.cookie(CookieNames.oauthState, value: value, maxAge: maxAge, path: "/hub/")
    }

    /// The error page for a login that did not happen: only the authenticator's message
    /// (no generic "signed in without the rights" hint: nobody is signed in).
    func errorPage(_ error: LoginError) -> Response {
        let status = Self.status(error)
        return components.pages.page("error", title: "\(status.code) \(status.reasonPhrase)", user: nil, values: [
            "status_code": status.code, "status_message": status.reasonPhrase, "message": error.message,
        ], status: status)
    }

    static func status(_ error: LoginError) -> HTTPResponse.Status {
        switch error.kind {
        case .invalidRequest: return .badRequest
        case .refused, .failed: return .forbidden
        case .unavailable: return .badGateway
        }
    }
}

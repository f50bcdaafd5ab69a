import Foundation
import HubAuth
import HubModel
import Hummingbird

/// The hub's browser cookies: login (signed), session id, and the XSRF token.
extension HubComponents {
    /// Cookies set on login. The login cookie is signed, HttpOnly, SameSite=Lax, path `/hub/`.
    func loginCookies(for user: User, sessionID: String) -> [Cookie] {
        let signed = cookies.sign(name: CookieNames.hubLogin, value: "\(user.name):\(user.cookieID)")
        let maxAge = Int(cookieMaxAge)
        return [
            Cookie(name: CookieNames.hubLogin, value: signed, maxAge: maxAge, path: "/hub/",
                   secure: secureCookies, httpOnly: true, sameSite: .lax),
            Cookie(name: CookieNames.sessionID, value: sessionID, maxAge: maxAge, path: "/",
                   secure: secureCookies, httpOnly: true, sameSite: .lax),
        ]
    }

    /// Cookies that clear the login.
    func logoutCookies() -> [Cookie] {
        [
            Cookie(name: CookieNames.hubLogin, value: "", maxAge: 0, path: "/hub/", secure: secureCookies, httpOnly: true, sameSite: .lax),
            Cookie(name: CookieNames.sessionID, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax),
        ]
    }

    /// The request's XSRF token, and a cookie to set if it had none.
    func xsrfToken(_ request: Request) -> (String, Cookie?) {
        if let existing = request.cookies[CookieNames.xsrf]?.value, existing.count == 32 { return (existing, nil) }
        let token = Secrets.newToken()
        return (token, Cookie(name: CookieNames.xsrf, value: token, path: "/hub/", secure: secureCookies,
                              httpOnly: true, sameSite: .lax))
    }

    /// Checks a form's `_xsrf` field against the cookie.
    func checkXSRF(_ request: Request, form: [String: String]) throws {
        guard xsrfMatches(request, form["_xsrf"] ?? "") else {
            throw HubError.forbidden("XSRF cookie does not match POST argument")
        }
    }

    /// `next=` is honoured only for local absolute paths (no scheme, no `//host`, no backslashes).
    static func safeNext(_ raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\"),
              !raw.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return nil }
        return raw
    }
}

extension Response {
    mutating func setCookies(_ cookies: [Cookie?]) {
        for cookie in cookies.compactMap({ $0 }) { setCookie(cookie) }
    }
}

import Foundation
import HubAuth
import HubModel
import Hummingbird

/// How the hub names and scopes its cookies. They are host-only (never a `Domain` attribute), HttpOnly and
/// SameSite=Lax. When users' servers live on subdomains over https, every name gets the `__Host-` prefix (which
/// browsers accept only with `Secure`, path `/` and no `Domain`), so that code on a user's subdomain cannot plant
/// a login, session or XSRF cookie for the hub (cookie tossing).
struct CookiePolicy: Sendable {
    let hostPrefix: Bool
    let secure: Bool

    /// The name a cookie is set and read under.
    func name(_ base: String) -> String { hostPrefix ? "__Host-" + base : base }

    /// A cookie as the hub sets it; `path` applies without the prefix (it then must be `/`).
    func cookie(_ base: String, value: String, maxAge: Int? = nil, path: String) -> Cookie {
        Cookie(name: name(base), value: value, maxAge: maxAge, path: hostPrefix ? "/" : path, secure: secure || hostPrefix,
               httpOnly: true, sameSite: .lax)
    }

    /// The value of the cookie named `base` in a request: nil unless exactly one cookie has exactly that name.
    /// The `Cookie` header is read here rather than through a lenient parser: names are trimmed of spaces and tabs
    /// only, and any other name that reads as the same one once Unicode white space is dropped (`\u{2000}__Host-…`,
    /// which a browser takes for an unprefixed cookie that a subdomain may set) makes the cookie absent.
    func value(_ base: String, in request: Request) -> String? {
        let wanted = name(base)
        var found: String?
        var count = 0
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let equals = pair.firstIndex(of: "=") ?? pair.endIndex
                let rawName = pair[..<equals]
                let trimmed = rawName.trimmingCharacters(in: .spaceAndTab)
                guard trimmed == wanted || rawName.filter({ !$0.isWhitespace }) == wanted else { continue }
                count += 1
                guard trimmed == wanted, equals < pair.endIndex else { continue }
                found = String(pair[pair.index(after: equals)...]).trimmingCharacters(in: .spaceAndTab)
            }
        }
        return count == 1 ? found : nil
    }
}

/// The hub's browser cookies: login (signed), session id, and the XSRF token.
extension HubComponents {
    /// Cookies set on login. The login cookie is signed, path `/hub/`; the session id is path `/`.
    func loginCookies(for user: User, sessionID: String) -> [Cookie] {
        let signed = cookies.sign(name: CookieNames.hubLogin, value: "\(user.name):\(user.cookieID)")
        let maxAge = Int(cookieMaxAge)
        return [
            cookiePolicy.cookie(CookieNames.hubLogin, value: signed, maxAge: maxAge, path: "/hub/"),
            cookiePolicy.cookie(CookieNames.sessionID, value: sessionID, maxAge: maxAge, path: "/"),
        ]
    }

    /// Cookies that clear the login.
    func logoutCookies() -> [Cookie] {
        [
            cookiePolicy.cookie(CookieNames.hubLogin, value: "", maxAge: 0, path: "/hub/"),
            cookiePolicy.cookie(CookieNames.sessionID, value: "", maxAge: 0, path: "/"),
        ]
    }

    /// The request's XSRF token, and a cookie to set if it had none.
    func xsrfToken(_ request: Request) -> (String, Cookie?) {
        if let existing = cookiePolicy.value(CookieNames.xsrf, in: request), existing.count == 32 { return (existing, nil) }
        let token = Secrets.newToken()
        return (token, cookiePolicy.cookie(CookieNames.xsrf, value: token, path: "/hub/"))
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

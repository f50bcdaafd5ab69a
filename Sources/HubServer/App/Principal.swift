import Foundation
import HTTPTypes
import HubAuth
import HubModel
import HubStore
import Hummingbird

/// Who is making a request, and with which scopes.
public struct Principal: Sendable {
    public enum Owner: Sendable {
        case user(User)
        case service(name: String)
    }

    public let owner: Owner
    /// Scopes effective for this request (token scopes ∩ owner scopes).
    public let scopes: ScopeSet
    /// The token used, if the request used one (nil for cookie logins).
    public let token: TokenRecord?
    /// The login session (from the cookie or the token).
    public let sessionID: String?

    public var user: User? {
        if case .user(let user) = owner { return user }
        return nil
    }

    public var name: String {
        switch owner {
        case .user(let user): return user.name
        case .service(let name): return name
        }
    }
}

extension User {
    /// Full scopes the user holds through their roles (`user`, and `admin` for admins).
    var roleScopes: ScopeSet {
        ScopeSet.forRoles(admin ? ["user", "admin"] : ["user"], userName: name)
    }
}

extension Principal {
    /// Throws `Action requires <scope>` unless this principal holds `scope` on `user`.
    func require(_ scope: String, onUser user: String) throws {
        guard scopes.allows(scope, user: user) else { throw HubError.forbidden("Action requires \(scope)") }
    }

    /// Throws `Action requires <scope> on <user>/<server>` unless this principal holds `scope` on the server
    /// (the check every server endpoint and page makes).
    func require(_ scope: String, onServer server: String, of user: String) throws {
        guard scopes.allows(scope, user: user, server: server) else {
            throw HubError.forbidden("Action requires \(scope) on \(user)/\(server)")
        }
    }
}

/// Cookie names shared with single-user servers and browsers.
enum CookieNames {
    static let hubLogin = "jupyterhub-hub-login"
    static let sessionID = "jupyterhub-session-id"
    static let xsrf = "_xsrf"
}

extension HubComponents {
    /// Who makes an API request: `Authorization: token|bearer <t>` first, then the hub login cookie (`loginUser`).
    /// Cookie logins on unsafe methods must carry the XSRF token (header `X-XSRFToken` or `?_xsrf=`).
    func apiIdentity(_ request: Request, loginUser: User?) async throws -> RequestIdentity {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, ["token", "bearer"].contains(parts[0].lowercased()),
                  let principal = try await principal(forToken: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
                return .anonymous
            }
            return .principal(principal)
        }
        guard let user = loginUser else { return .anonymous }
        if ![.get, .head, .options].contains(request.method) {
            let given = request.headers[.xXSRFToken] ?? request.uri.queryParameters["_xsrf"].map(String.init) ?? ""
            guard xsrfMatches(request, given) else { return .refused(.forbidden("XSRF cookie does not match POST argument")) }
        }
        return .principal(cookiePrincipal(user, request))
    }

    /// A cookie login as a principal: the user's full role scopes, the browser's session.
    func cookiePrincipal(_ user: User, _ request: Request) -> Principal {
        Principal(owner: .user(user), scopes: user.roleScopes, token: nil, sessionID: cookiePolicy.value(CookieNames.sessionID, in: request))
    }

    /// Whether `given` is the request's XSRF cookie (compared in constant time; never when there is no cookie), and
    /// the request is not one a browser marks as coming from another origin (`Sec-Fetch-Site: same-site` is a
    /// user's subdomain, which with a planted cookie could otherwise pass).
    func xsrfMatches(_ request: Request, _ given: String) -> Bool {
        if let site = request.headers[.secFetchSite]?.lowercased(), site != "same-origin" { return false }
        let expected = cookiePolicy.value(CookieNames.xsrf, in: request) ?? ""
        return !expected.isEmpty && Secrets.constantTimeEquals(expected, given)
    }

    /// The principal owning an API token, or nil if the token is unknown or expired.
    func principal(forToken token: String) async throws -> Principal? {
        guard !token.isEmpty, token.utf8.count <= 512,
              let record = try await store.token(hash: Secrets.hash(token)), !record.isExpired() else { return nil }
        if let last = record.lastActivity, Date().timeIntervalSince(last) < 60 {
            // Recently touched: skip the write.
        } else if let id = record.id {
            try? await store.touchToken(id: id, at: Date())
        }
        if let userName = record.userName {
            guard let user = try await store.user(named: userName) else { return nil }
            let owner = user.roleScopes
            let scopes = record.scopes.isEmpty ? owner
                : ScopeSet.expand(record.scopes, ownerName: user.name, ownerScopes: owner).intersected(withOwner: owner)
            return Principal(owner: .user(user), scopes: scopes, token: record, sessionID: record.sessionID)
        }
        if let service = record.serviceName, let owner = serviceScopes[service] {
            return Principal(owner: .service(name: service), scopes: owner, token: record, sessionID: nil)
        }
        return nil
    }

    /// The user of a valid hub login cookie.
    func cookieUser(_ request: Request) async throws -> User? {
        guard let signed = cookiePolicy.value(CookieNames.hubLogin, in: request),
              let cookieID = cookies.verify(name: CookieNames.hubLogin, signed: signed, maxAge: cookieMaxAge),
              let separator = cookieID.firstIndex(of: ":") else { return nil }
        let name = String(cookieID[..<separator])
        guard let user = try await store.user(named: name),
              Secrets.constantTimeEquals(user.cookieID, String(cookieID[cookieID.index(after: separator)...])) else {
            return nil
        }
        return user
    }
}

import Foundation
import HubAuth
import HubConfig
import HubModel
import HubProxy
import HubStore
import Logging
import Mustache

/// Everything request handlers need, built once at start-up.
public struct HubComponents: Sendable {
    public let config: HubConfiguration
    public let store: HubStore
    public let hub: Hub
    public let authenticator: any Authenticator
    public let cookies: CookieSigner
    public let metrics: HubMetrics
    public let pages: PageRenderer
    public let policy: UsernamePolicy
    /// Owner scopes of each configured service.
    public let serviceScopes: [String: ScopeSet]
    public let logger: Logger

    /// Whether cookies get the `Secure` attribute.
    var secureCookies: Bool { config.hub.publicURL.lowercased().hasPrefix("https://") }
    var cookieMaxAge: TimeInterval { config.hub.cookieMaxAgeDays * 86400 }

    /// Full scopes a user holds through their roles.
    func ownerScopes(of user: User) -> ScopeSet {
        ScopeSet.forRoles(user.admin ? ["user", "admin"] : ["user"], userName: user.name)
    }

    /// Looks a user up by a name from a URL, normalizing it first (404 if unknown or invalid).
    func existingUser(_ raw: String) async throws -> User {
        guard let name = try? policy.normalize(raw.removingPercentEncoding ?? raw),
              let user = try await store.user(named: name) else {
            throw APIError.notFound("No such user: \(UsernamePolicy.quoted(raw))")
        }
        return user
    }
}

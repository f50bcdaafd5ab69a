import Foundation
import HubAuth
import HubConfig
import HubModel
import HubProxy
import HubStore
import Logging
import Mustache

/// Everything request handlers need: what is built once at start-up, and the ``LiveSettings`` that follow
/// the configuration file (read anew by every request, so a reload applies to the next one).
public struct HubComponents: Sendable {
    public let store: HubStore
    public let hub: Hub
    public let cookies: CookieSigner
    public let metrics: HubMetrics
    public let policy: UsernamePolicy
    public let live: LiveSettings
    public let logger: Logger

    public var config: HubConfiguration { live.current.config }
    public var authenticator: any Authenticator { live.current.authenticator }
    public var pages: PageRenderer { live.current.pages }
    /// Owner scopes of each configured service.
    public var serviceScopes: [String: ScopeSet] { live.current.serviceScopes }

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

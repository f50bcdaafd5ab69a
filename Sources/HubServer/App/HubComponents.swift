import Foundation
import HubAuth
import HubConfig
import HubModel
import HubProxy
import HubStore
import Logging
import Mustache

/// Everything request handlers need: the use cases (``servers``, ``users``, ``tokens``, ``oauth``), what is built
/// once at start-up, and the ``LiveSettings`` that follow the configuration file (read anew by every request,
/// so a reload applies to the next one).
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
    var secureCookies: Bool { config.hub.tls.enabled || config.hub.publicURL.lowercased().hasPrefix("https://") }
    /// Names and attributes of the hub's cookies (`__Host-` with https subdomains).
    var cookiePolicy: CookiePolicy { CookiePolicy(hostPrefix: serverURLs.origins?.usesHTTPS == true, secure: secureCookies) }
    /// Server URLs as browsers use them (absolute with `hub.subdomain_host`).
    var serverURLs: ServerURLs { hub.serverURLs }
    var cookieMaxAge: TimeInterval { config.hub.cookieMaxAgeDays * 86400 }

    /// The REST models as `principal` may see them.
    func models(for principal: Principal) -> ModelBuilder {
        ModelBuilder(principal: principal, publicURL: config.hub.publicURL, urls: serverURLs)
    }

    /// The use cases API handlers and pages call (they do not reach the store or the spawner themselves).
    var servers: ServerActions { ServerActions(hub: hub, store: store) }
    var users: UserDirectory { UserDirectory(store: store, hub: hub, policy: policy) }
    var tokens: TokenIssuer { TokenIssuer(store: store) }
    var oauth: OAuthGrants { OAuthGrants(store: store) }
}

import HubConfig
import HubModel

/// Where browsers reach a server: its path prefix (`/user/alice/`), and with `hub.subdomain_host` the user's own
/// origin in front of it, as JupyterHub's `user.url` is (`https://alice.hub.example.org/user/alice/`).
struct ServerURLs: Sendable {
    /// The per-user origins; nil in path mode.
    let origins: UserOrigins?

    init(_ config: HubConfiguration) {
        origins = config.hub.userOrigins
    }

    /// The server's URL as the REST models, progress events, redirects and pages give it: absolute with
    /// subdomains, the path alone otherwise.
    func url(user: String, server: String) -> String {
        (origins?.origin(forUser: user) ?? "") + ServerEnvironment.prefix(user: user, server: server)
    }

    /// The proxy's route for the server: host-prefixed with subdomains (`/alice.hub.example.org/user/alice/`).
    func routeSpec(user: String, server: String) -> String {
        let prefix = ServerEnvironment.prefix(user: user, server: server)
        return origins?.routeSpec(forUser: user, prefix: prefix) ?? prefix
    }

    /// The OAuth redirect URI registered for the server's client and handed to it in
    /// `JUPYTERHUB_OAUTH_CALLBACK_URL` (absolute with subdomains, as JupyterHub registers it).
    func oauthCallback(user: String, server: String) -> String { url(user: user, server: server) + "oauth_callback" }
}

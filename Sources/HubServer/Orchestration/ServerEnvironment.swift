import Foundation
import HubModel

/// Builds the environment JupyterHub's spawner gives a single-user server (protocol §1).
struct ServerEnvironment {
    let apiURL: String
    let publicURL: String
    /// Absolute server URLs and the hub's host with `hub.subdomain_host`.
    let urls: ServerURLs
    let defaultURL: String
    /// `hub.api_tls.ca_file`: the bundle servers verify the hub API with ("" for none).
    let caFile: String
    let extra: [String: String]

    /// Every name `environment(user:server:token:)` can set (besides `extra`), plus `JUPYTERHUB_SERVICE_URL`
    /// and `JUPYTERHUB_DEFAULT_URL` which job scripts set: the base of the Slurm environment allow-list.
    static let variableNames: [String] = [
        "JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN", "JUPYTERHUB_CLIENT_ID", "JUPYTERHUB_API_URL", "JUPYTERHUB_ACTIVITY_URL",
        "JUPYTERHUB_BASE_URL", "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_OAUTH_CALLBACK_URL",
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES", "JUPYTERHUB_OAUTH_SCOPES", "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES",
        "JUPYTERHUB_USER", "JUPYTERHUB_SERVER_NAME", "JUPYTERHUB_HOST", "JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED",
        "JUPYTERHUB_COOKIE_OPTIONS", "JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_PUBLIC_HUB_URL", "JUPYTERHUB_DEFAULT_URL",
        "JUPYTERHUB_ADMIN_ACCESS", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE",
    ]

    /// The OAuth client id of a server: `jupyterhub-user-<name>` (`-<server>` appended for named servers).
    static func clientID(user: String, server: String) -> String {
        let base = "jupyterhub-user-\(PathQuoting.quote(user))"
        return server.isEmpty ? base : "\(base)-\(PathQuoting.quote(server))"
    }

    /// `/user/alice/` or `/user/alice/name/`.
    static func prefix(user: String, server: String) -> String {
        server.isEmpty ? "/user/\(PathQuoting.quote(user))/" : "/user/\(PathQuoting.quote(user))/\(PathQuoting.quote(server))/"
    }

    /// Scopes a browser token must hold to use the server.
    static func accessScopes(user: String, server: String) -> [String] {
        ["access:servers!server=\(user)/\(server)", "access:servers!user=\(user)"]
    }

    func environment(user: User, server: String, token: String) -> [String: String] {
        let prefix = Self.prefix(user: user.name, server: server)
        let scopesJSON = JSONValue.array(Self.accessScopes(user: user.name, server: server).map { .string($0) })
            .jsonString().replacingOccurrences(of: ",", with: ", ")
        var env = extra
        let hubValues: [String: String] = [
            "JUPYTERHUB_API_TOKEN": token,
            "JPY_API_TOKEN": token,
            "JUPYTERHUB_CLIENT_ID": Self.clientID(user: user.name, server: server),
            "JUPYTERHUB_API_URL": apiURL,
            "JUPYTERHUB_ACTIVITY_URL": "\(apiURL)/users/\(PathQuoting.quote(user.name))/activity",
            "JUPYTERHUB_BASE_URL": "/",
            "JUPYTERHUB_SERVICE_PREFIX": prefix,
            "JUPYTERHUB_OAUTH_CALLBACK_URL": urls.oauthCallback(user: user.name, server: server),
            "JUPYTERHUB_OAUTH_ACCESS_SCOPES": scopesJSON,
            "JUPYTERHUB_OAUTH_SCOPES": scopesJSON,
            "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]",
            "JUPYTERHUB_USER": user.name,
            "JUPYTERHUB_SERVER_NAME": server,
            // With subdomains the server sends browsers to the hub's origin to log in and out, and (over https)
            // names its cookie `__Host-…` so that other users' subdomains cannot set it.
            "JUPYTERHUB_HOST": urls.origins?.hubOrigin ?? "",
            "JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED": urls.origins?.usesHTTPS == true ? "1" : "0",
            "JUPYTERHUB_COOKIE_OPTIONS": "{}",
        ]
        env.merge(hubValues) { _, hub in hub }
        if !publicURL.isEmpty {
            let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
            env["JUPYTERHUB_PUBLIC_URL"] = urls.origins == nil ? base + prefix : urls.url(user: user.name, server: server)
            env["JUPYTERHUB_PUBLIC_HUB_URL"] = base + "/hub/"
        }
        if !defaultURL.isEmpty { env["JUPYTERHUB_DEFAULT_URL"] = defaultURL }
        if user.admin { env["JUPYTERHUB_ADMIN_ACCESS"] = "1" }
        // Python's ssl (tornado, urllib: the server and the job's port report) and requests; spawner.environment wins.
        if !caFile.isEmpty {
            for name in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"] where extra[name] == nil { env[name] = caFile }
        }
        return env
    }
}

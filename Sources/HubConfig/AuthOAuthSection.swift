import Foundation
import HubModel

/// `auth.oauth.*`: login through an OAuth 2 / OpenID Connect identity provider.
///
/// With `issuer` set the provider is an OIDC provider: its endpoints come from discovery and the
/// ID token is verified (signature against the JWKS, `iss`, `aud`, `exp`, `nonce`). Without it the
/// provider is plain OAuth 2 (such as the VSC account page): the three URLs are required and the
/// user's claims come from `userdata_url` alone.
public struct AuthOAuthSection: Sendable, Codable, Equatable {
    /// Button text on the login page: "Sign in with <login_service>".
    public var loginService: String
    public var clientID: String
    /// File holding the client secret (first line).
    public var clientSecretFile: String
    /// `client_secret_basic` (HTTP Basic) or `client_secret_post` (form fields) at the token endpoint.
    public var tokenEndpointAuth: String
    /// OIDC issuer URL; empty for plain OAuth 2.
    public var issuer: String
    public var authorizeURL: String
    public var tokenURL: String
    public var userdataURL: String
    public var scope: [String]
    /// Claim holding the user name; empty: `preferred_username` with an issuer, `id` without.
    public var usernameClaim: String
    /// Claim holding the user's groups (a list or one string); dots descend into objects.
    public var groupsClaim: String
    /// Whether every user the provider authenticates may log in.
    public var allowAll: Bool
    public var allowedUsers: [String]
    public var allowedGroups: [String]
    public var adminUsers: [String]
    public var adminGroups: [String]
    /// Where the provider sends the browser back; empty: `hub.public_url` + `/hub/oauth_callback`.
    public var callbackURL: String
    /// Whether `/hub/login` goes straight to the provider instead of showing the button.
    public var autoLogin: Bool
    /// Whether expired upstream access tokens are refreshed with the refresh token when they are needed.
    public var refreshAuthState: Bool
    /// Extra CA certificates (PEM) trusted for the provider's TLS; empty: the system's.
    public var tlsCAFile: String

    enum CodingKeys: String, CodingKey {
        case loginService = "login_service", clientID = "client_id", clientSecretFile = "client_secret_file"
        case tokenEndpointAuth = "token_endpoint_auth", issuer, authorizeURL = "authorize_url", tokenURL = "token_url"
        case userdataURL = "userdata_url", scope, usernameClaim = "username_claim", groupsClaim = "groups_claim"
        case allowAll = "allow_all", allowedUsers = "allowed_users", allowedGroups = "allowed_groups"
        case adminUsers = "admin_users", adminGroups = "admin_groups", callbackURL = "callback_url"
        case autoLogin = "auto_login", refreshAuthState = "refresh_auth_state", tlsCAFile = "tls_ca_file"
    }

    /// Whether the provider is OpenID Connect (an issuer is configured).
    public var isOIDC: Bool { !issuer.isEmpty }

    /// The claim the user name is read from.
    public var effectiveUsernameClaim: String {
        usernameClaim.isEmpty ? (isOIDC ? "preferred_username" : "id") : usernameClaim
    }

    /// The callback URL registered with the provider.
    public func effectiveCallbackURL(publicURL: String) -> String {
        if !callbackURL.isEmpty { return callbackURL }
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/hub/oauth_callback"
    }
}

extension ConfigLoader {
    /// Checks `auth.oauth` for `auth.kind: oauth`.
    static func validateOAuth(_ oauth: AuthOAuthSection, publicURL: String, policy: UsernamePolicy) throws {
        guard !oauth.clientID.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError("auth.oauth.client_id is required for auth.kind oauth")
        }
        guard !oauth.clientSecretFile.isEmpty else {
            throw ConfigError("auth.oauth.client_secret_file is required for auth.kind oauth")
        }
        guard ["client_secret_basic", "client_secret_post"].contains(oauth.tokenEndpointAuth) else {
            throw ConfigError("auth.oauth.token_endpoint_auth '\(oauth.tokenEndpointAuth)' is not one of "
                + "client_secret_basic, client_secret_post")
        }
        if oauth.isOIDC {
            try checkProviderURL(oauth.issuer, key: "auth.oauth.issuer")
        } else {
            for (key, url) in [("authorize_url", oauth.authorizeURL), ("token_url", oauth.tokenURL),
                               ("userdata_url", oauth.userdataURL)] where url.isEmpty {
                throw ConfigError("auth.oauth.\(key) is required without auth.oauth.issuer "
                    + "(set issuer for OpenID Connect, or all of authorize_url, token_url and userdata_url)")
            }
        }
        for (key, url) in [("authorize_url", oauth.authorizeURL), ("token_url", oauth.tokenURL),
                           ("userdata_url", oauth.userdataURL)] where !url.isEmpty {
            try checkProviderURL(url, key: "auth.oauth.\(key)")
        }
        if oauth.callbackURL.isEmpty && publicURL.isEmpty {
            throw ConfigError("auth.kind oauth needs hub.public_url or auth.oauth.callback_url "
                + "(the URL the provider redirects back to)")
        }
        let callback = oauth.effectiveCallbackURL(publicURL: publicURL)
        guard let parsed = URL(string: callback), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil,
              parsed.path.hasSuffix("/hub/oauth_callback") else {
            throw ConfigError("auth.oauth.callback_url '\(callback)' must be an http(s) URL ending in /hub/oauth_callback")
        }
        guard oauth.scope.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else {
            throw ConfigError("auth.oauth.scope: scopes must be non-empty words without spaces")
        }
        if oauth.isOIDC && !oauth.scope.contains("openid") {
            throw ConfigError("auth.oauth.scope must contain openid when auth.oauth.issuer is set")
        }
        guard !oauth.effectiveUsernameClaim.isEmpty, !oauth.groupsClaim.isEmpty else {
            throw ConfigError("auth.oauth.username_claim and auth.oauth.groups_claim must not be empty")
        }
        for (key, names) in [("allowed_users", oauth.allowedUsers), ("admin_users", oauth.adminUsers)] {
            for name in names where !policy.isValid(name) {
                throw ConfigError("auth.oauth.\(key): '\(name)' does not match hub.username_pattern")
            }
        }
        if !oauth.allowAll && oauth.allowedUsers.isEmpty && oauth.allowedGroups.isEmpty
            && oauth.adminUsers.isEmpty && oauth.adminGroups.isEmpty {
            throw ConfigError("auth.oauth: nobody could log in; set allowed_users, allowed_groups, "
                + "admin_users or admin_groups, or allow_all: true")
        }
        guard !oauth.loginService.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError("auth.oauth.login_service must not be empty")
        }
    }

    /// Provider URLs must be https, except on loopback hosts (test providers).
    static func checkProviderURL(_ url: String, key: String) throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host,
              parsed.user == nil, parsed.password == nil else {
            throw ConfigError("\(key) '\(url)' is not a URL")
        }
        guard scheme == "https" || (scheme == "http" && isLoopbackHost(host)) else {
            throw ConfigError("\(key) '\(url)' must be https (plain http only for a loopback host)")
        }
    }

    /// `localhost`, `127.0.0.0/8` or `::1`.
    public static func isLoopbackHost(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare.lowercased() == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}

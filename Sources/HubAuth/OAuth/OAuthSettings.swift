import Foundation
import HubConfig

/// The OAuth client's settings, resolved from `auth.oauth` (secret read, callback URL filled in).
public struct OAuthSettings: Sendable, Equatable {
    public var clientID: String
    public var clientSecret: String
    /// `client_secret_basic` or `client_secret_post`.
    public var tokenEndpointAuth: String
    /// OIDC issuer; empty for plain OAuth 2.
    public var issuer: String
    /// Explicit endpoints; empty ones come from discovery.
    public var authorizeURL: String
    public var tokenURL: String
    public var userdataURL: String
    public var scope: [String]
    public var callbackURL: String
    public var loginService: String
    public var autoLogin: Bool
    public var refreshAuthState: Bool

    public init(clientID: String, clientSecret: String, tokenEndpointAuth: String = "client_secret_basic",
                issuer: String = "", authorizeURL: String = "", tokenURL: String = "", userdataURL: String = "",
                scope: [String] = ["openid", "profile", "email"], callbackURL: String, loginService: String = "OAuth",
                autoLogin: Bool = false, refreshAuthState: Bool = false) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.tokenEndpointAuth = tokenEndpointAuth
        self.issuer = Self.trimmingSlash(issuer)
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.userdataURL = userdataURL
        self.scope = scope
        self.callbackURL = callbackURL
        self.loginService = loginService
        self.autoLogin = autoLogin
        self.refreshAuthState = refreshAuthState
    }

    /// From the configuration; `clientSecret` is the content of `client_secret_file`.
    public init(section: AuthOAuthSection, clientSecret: String, publicURL: String) {
        self.init(clientID: section.clientID, clientSecret: clientSecret, tokenEndpointAuth: section.tokenEndpointAuth,
                  issuer: section.issuer, authorizeURL: section.authorizeURL, tokenURL: section.tokenURL,
                  userdataURL: section.userdataURL, scope: section.scope,
                  callbackURL: section.effectiveCallbackURL(publicURL: publicURL), loginService: section.loginService,
                  autoLogin: section.autoLogin, refreshAuthState: section.refreshAuthState)
    }

    /// Whether the provider is OpenID Connect.
    public var isOIDC: Bool { !issuer.isEmpty }

    static func trimmingSlash(_ url: String) -> String {
        var trimmed = url
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }
}

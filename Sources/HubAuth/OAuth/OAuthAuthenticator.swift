import Foundation
import HubModel

/// Login through an OAuth 2 or OpenID Connect provider with the authorization-code flow,
/// `state` (bound to the browser by a signed cookie, usable once) and PKCE (S256).
///
/// With an issuer (OIDC) the ID token is verified and its claims are merged with userinfo's;
/// without one (plain OAuth 2, such as the VSC account page) the claims come from the userdata URL.
public struct OAuthAuthenticator: RedirectAuthenticator {
    public let kind = "oauth"
    public let settings: OAuthSettings
    public let rules: AccessRules
    let http: any OAuthHTTP
    let directory: ProviderDirectory
    let verifier: IDTokenVerifier
    let usedStates: UsedStates
    let keeper: AuthStateKeeper?

    /// `keeper` stores upstream tokens; without it they are dropped after login.
    public init(settings: OAuthSettings, rules: AccessRules, http: any OAuthHTTP, keeper: AuthStateKeeper?) {
        self.settings = settings
        self.rules = rules
        self.http = http
        self.directory = ProviderDirectory(settings: settings, http: http)
        self.verifier = IDTokenVerifier(issuer: settings.issuer, clientID: settings.clientID, http: http)
        self.usedStates = UsedStates()
        self.keeper = keeper
    }

    public var loginService: String { settings.loginService }
    public var autoLogin: Bool { settings.autoLogin }

    /// There is no login form: the provider authenticates.
    public func authenticate(form: [String: String]) async -> AuthenticatedUser? { nil }

    public func loginRedirect(next: String?) async throws -> LoginRedirect {
        let endpoints = try await directory.endpoints()
        let pending = PendingLogin.start(next: next)
        var fields = [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", settings.callbackURL),
            ("state", pending.state), ("code_challenge", PKCE.challenge(for: pending.codeVerifier)),
            ("code_challenge_method", "S256"),
        ]
        if !settings.scope.isEmpty { fields.append(("scope", settings.scope.joined(separator: " "))) }
        if settings.isOIDC { fields.append(("nonce", pending.nonce)) }
        return LoginRedirect(url: FormEncoding.appending(fields, to: endpoints.authorizeURL), pending: pending)
    }

    public func completeLogin(callback: [String: String], pending: PendingLogin?) async throws -> AuthenticatedUser {
        guard let pending else {
            throw LoginError(.invalidRequest, "This sign-in has expired or was started in another browser; please sign in again.",
                             detail: "OAuth callback without a valid state cookie")
        }
        guard let state = callback["state"], Secrets.constantTimeEquals(state, pending.state) else {
            throw LoginError(.invalidRequest, "OAuth state mismatch; please sign in again.",
                             detail: "OAuth callback state does not match the state cookie")
        }
        guard await usedStates.use(state) else {
            throw LoginError(.invalidRequest, "This sign-in was already completed; please sign in again.",
                             detail: "OAuth callback replayed (state already used)")
        }
        if let error = callback["error"] {
            let description = callback["error_description"].map { ": \($0)" } ?? ""
            throw LoginError(error == "access_denied" ? .refused : .failed,
                             "Sign-in at \(settings.loginService) did not complete (\(error)).",
                             detail: "provider returned error \(error)\(description)")
        }
        guard let code = callback["code"], !code.isEmpty else {
            throw LoginError(.invalidRequest, "The sign-in answer lacks its code; please sign in again.",
                             detail: "OAuth callback without code")
        }
        let endpoints = try await directory.endpoints()
        let tokens = try await TokenEndpoint(settings: settings, http: http)
            .exchange(url: endpoints.tokenURL, code: code, verifier: pending.codeVerifier)
        var user = try rules.decide(try await claims(tokens: tokens, endpoints: endpoints, nonce: pending.nonce))
        user.authState = tokens
        return user
    }

    /// OIDC: the verified ID token's claims, overlaid by userinfo's (same `sub`). Plain OAuth 2: userinfo's.
    func claims(tokens: AuthState, endpoints: ProviderEndpoints, nonce: String) async throws -> [String: JSONValue] {
        var claims: [String: JSONValue] = [:]
        if settings.isOIDC {
            guard let idToken = tokens.idToken, let jwksURI = endpoints.jwksURI else {
                throw IDTokenVerifier.failure("token response has no id_token")
            }
            claims = try await verifier.verify(idToken, jwksURI: jwksURI, allowedAlgorithms: endpoints.signingAlgorithms,
                                               nonce: nonce)
        }
        if let url = endpoints.userinfoURL, !url.isEmpty {
            let userinfo = try await UserinfoEndpoint(http: http).claims(url: url, accessToken: tokens.accessToken)
            if settings.isOIDC, userinfo["sub"] != claims["sub"] {
                throw IDTokenVerifier.failure("userinfo sub \(userinfo["sub"]?.jsonString() ?? "missing") is not the ID token's")
            }
            claims.merge(userinfo) { _, fromUserinfo in fromUserinfo }
        }
        return claims
    }

    public func keepAuthState(_ state: AuthState, for userName: String) async throws {
        try await keeper?.save(state, for: userName)
    }

    public func authState(for userName: String) async throws -> AuthState? {
        guard let keeper else { return nil }
        guard settings.refreshAuthState else { return try await keeper.load(for: userName) }
        let directory = directory, endpoint = TokenEndpoint(settings: settings, http: http)
        return try await keeper.fresh(for: userName) { state in
            try await endpoint.refresh(url: try await directory.endpoints().tokenURL, state: state)
        }
    }
}

/// States of completed (or attempted) callbacks, remembered for as long as a login may take:
/// a callback URL replayed with its cookie is refused even if the provider would accept the code again.
actor UsedStates {
    static let capacity = 100_000
    var used: [String: Date] = [:]

    /// `true` the first time a state is seen.
    func use(_ state: String, now: Date = Date()) -> Bool {
        if used.count >= Self.capacity / 2 {
            used = used.filter { now.timeIntervalSince($0.value) < PendingLogin.lifetime }
        }
        if used.count >= Self.capacity, let oldest = used.min(by: { $0.value < $1.value }) {
            used[oldest.key] = nil
        }
        guard used[state] == nil else { return false }
        used[state] = now
        return true
    }
}

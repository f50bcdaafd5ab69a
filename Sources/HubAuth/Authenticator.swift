import HubModel

/// Who logged in, as an authenticator reports it.
public struct AuthenticatedUser: Sendable, Equatable {
    /// The normalized user name (lower-cased, checked against the username pattern).
    public var name: String
    /// `true`/`false` sets admin from the identity provider; `nil` leaves it to `hub.admin_users`.
    public var admin: Bool?
    /// Groups the identity provider reported (empty for the dev login).
    public var groups: [String]
    /// Upstream tokens to keep (encrypted) for later use; `nil` for the dev login.
    public var authState: AuthState?

    public init(name: String, admin: Bool? = nil, groups: [String] = [], authState: AuthState? = nil) {
        self.name = name
        self.admin = admin
        self.groups = groups
        self.authState = authState
    }
}

/// Decides who may log in, as JupyterHub's `Authenticator` does.
///
/// Form-based authenticators (the dev login) receive the posted fields. Redirect-based ones
/// (OAuth 2 / OIDC) also conform to ``RedirectAuthenticator``: the hub sends the browser to the
/// identity provider and completes the login on `/hub/oauth_callback`.
public protocol Authenticator: Sendable {
    /// Name for `/hub/api/info` and logs.
    var kind: String { get }
    /// Checks submitted login form fields; `nil` means refused.
    func authenticate(form: [String: String]) async -> AuthenticatedUser?
}

/// An authenticator that logs users in through an identity provider's authorization-code flow.
public protocol RedirectAuthenticator: Authenticator {
    /// Shown on the login button: "Sign in with <loginService>".
    var loginService: String { get }
    /// Whether `/hub/login` redirects to the provider at once.
    var autoLogin: Bool { get }
    /// Where to send the browser, and what the hub must remember (in a short-lived signed cookie)
    /// until the provider sends it back. `next` is a local path already checked by the caller.
    func loginRedirect(next: String?) async throws -> LoginRedirect
    /// Completes a login from the callback's query parameters and the remembered ``PendingLogin``
    /// (`nil` when the cookie is missing, expired or forged). Throws ``LoginError`` when refused.
    func completeLogin(callback: [String: String], pending: PendingLogin?) async throws -> AuthenticatedUser
    /// Keeps a user's upstream tokens (encrypted at rest); the user's row must exist.
    func keepAuthState(_ state: AuthState, for userName: String) async throws
    /// A user's upstream tokens, refreshed first when they expired and refreshing is enabled.
    func authState(for userName: String) async throws -> AuthState?
}

/// The redirect to the identity provider that starts a login.
public struct LoginRedirect: Sendable, Equatable {
    /// The provider's authorization URL with all parameters.
    public var url: String
    /// What the callback needs: state, nonce, PKCE verifier, next.
    public var pending: PendingLogin

    public init(url: String, pending: PendingLogin) {
        self.url = url
        self.pending = pending
    }
}

/// Why a redirect login failed; `message` is shown to the user, `detail` goes to the log.
public struct LoginError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How the hub answers.
    public enum Kind: Sendable, Equatable {
        /// A broken, expired or replayed callback (400).
        case invalidRequest
        /// The user is authenticated but may not use this hub (403).
        case refused
        /// The provider refused the code, or its answer did not verify (403).
        case failed
        /// The provider could not be reached or answered garbage (502).
        case unavailable
    }

    public let kind: Kind
    public let message: String
    public let detail: String

    public init(_ kind: Kind, _ message: String, detail: String = "") {
        self.kind = kind
        self.message = message
        self.detail = detail.isEmpty ? message : detail
    }

    public var description: String { detail }
}

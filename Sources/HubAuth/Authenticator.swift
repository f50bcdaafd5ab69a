import HubModel

/// Who logged in, as an authenticator reports it.
public struct AuthenticatedUser: Sendable, Equatable {
    /// The normalized user name (lower-cased, checked against the username pattern).
    public var name: String
    /// `true`/`false` sets admin from the identity provider; `nil` leaves it to `hub.admin_users`.
    public var admin: Bool?

    public init(name: String, admin: Bool? = nil) {
        self.name = name
        self.admin = admin
    }
}

/// Decides who may log in, as JupyterHub's `Authenticator` does.
///
/// Form-based authenticators (the dev login) receive the posted fields; redirect-based ones
/// (OAuth/OIDC) will add their own handlers behind the same protocol.
public protocol Authenticator: Sendable {
    /// Name for `/hub/api/info` and logs.
    var kind: String { get }
    /// Checks submitted login form fields; `nil` means refused.
    func authenticate(form: [String: String]) async -> AuthenticatedUser?
}

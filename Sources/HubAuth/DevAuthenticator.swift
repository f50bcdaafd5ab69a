import HubModel

/// The demo and test login: a fixed list of users sharing one password read from a file.
///
/// It refuses to start on a non-loopback bind unless explicitly allowed (checked by the config).
public struct DevAuthenticator: Authenticator {
    public let kind = "dev"
    let users: Set<String>
    let password: String
    let policy: UsernamePolicy

    public init(users: [String], password: String, policy: UsernamePolicy) {
        self.users = Set(users)
        self.password = password
        self.policy = policy
    }

    public func authenticate(form: [String: String]) async -> AuthenticatedUser? {
        guard let raw = form["username"], let given = form["password"],
              let name = try? policy.normalize(raw), users.contains(name),
              Secrets.constantTimeEquals(Secrets.hash(given), Secrets.hash(password)) else { return nil }
        return AuthenticatedUser(name: name)
    }
}

import Foundation

/// A hub user. Users have no local Unix account on the hub; the name is their cluster account.
public struct User: Sendable, Hashable, Codable {
    public var id: Int64?
    public var name: String
    public var admin: Bool
    public var created: Date
    public var lastActivity: Date?
    /// Random id carried in the hub login cookie; changing it logs out every session.
    public var cookieID: String
    /// The last user options submitted, remembered for the spawn form.
    public var lastUserOptions: JSONValue

    public init(name: String, admin: Bool = false, created: Date = Date()) {
        self.name = name
        self.admin = admin
        self.created = created
        self.cookieID = Secrets.newToken()
        self.lastUserOptions = .object([:])
    }
}

/// A started server: the row exists from spawn request until the server is stopped.
public struct ServerRecord: Sendable, Hashable, Codable {
    public var id: Int64?
    public var userName: String
    /// Empty for the default server.
    public var name: String
    /// `http://ip:port` once known.
    public var url: String?
    public var started: Date?
    public var lastActivity: Date?
    public var userOptions: JSONValue
    /// The spawner's own state (pid, job id …), persisted for restarts.
    public var state: JSONValue
    /// Id of the server's API token.
    public var tokenID: Int64?

    public init(userName: String, name: String, userOptions: JSONValue = .object([:])) {
        self.userName = userName
        self.name = name
        self.userOptions = userOptions
        self.state = .object([:])
    }

    /// `alice/` or `alice/name`.
    public var fullName: String { "\(userName)/\(name)" }
}

/// An API token; only its SHA-256 digest is stored.
public struct TokenRecord: Sendable, Hashable, Codable {
    public var id: Int64?
    public var hash: String
    public var userName: String?
    public var serviceName: String?
    /// Scopes as written (`self`, `inherit`, filters…); expanded when used.
    public var scopes: [String]
    public var sessionID: String?
    public var oauthClientID: String?
    public var note: String
    public var created: Date
    public var expiresAt: Date?
    public var lastActivity: Date?

    public init(hash: String, userName: String?, serviceName: String? = nil, scopes: [String], note: String,
                sessionID: String? = nil, oauthClientID: String? = nil, expiresAt: Date? = nil) {
        self.hash = hash
        self.userName = userName
        self.serviceName = serviceName
        self.scopes = scopes
        self.note = note
        self.sessionID = sessionID
        self.oauthClientID = oauthClientID
        self.created = Date()
        self.expiresAt = expiresAt
    }

    /// JupyterHub's token id form: `a<int>`.
    public var publicID: String { "a\(id ?? 0)" }

    /// Whether the token has expired at `date`.
    public func isExpired(at date: Date = Date()) -> Bool {
        expiresAt.map { $0 <= date } ?? false
    }
}

/// An OAuth client: one per single-user server (`jupyterhub-user-alice`).
public struct OAuthClient: Sendable, Hashable, Codable {
    /// The client id, e.g. `jupyterhub-user-alice` or `jupyterhub-user-alice-lab`.
    public var id: String
    /// SHA-256 of the client secret (the server's API token).
    public var secretHash: String
    public var redirectURI: String
    public var description: String
    public var allowedScopes: [String]

    public init(id: String, secretHash: String, redirectURI: String, description: String, allowedScopes: [String]) {
        self.id = id
        self.secretHash = secretHash
        self.redirectURI = redirectURI
        self.description = description
        self.allowedScopes = allowedScopes
    }
}

/// A single-use OAuth authorization code (stored hashed, valid 300 s).
public struct OAuthCode: Sendable, Hashable, Codable {
    public var hash: String
    public var clientID: String
    public var userName: String
    public var sessionID: String
    public var redirectURI: String
    public var scopes: [String]
    public var expiresAt: Date
    /// PKCE (RFC 7636): the challenge sent with the authorization request, if any.
    public var codeChallenge: String?
    /// `S256` or `plain`.
    public var codeChallengeMethod: String?

    public init(hash: String, clientID: String, userName: String, sessionID: String,
                redirectURI: String, scopes: [String], expiresAt: Date,
                codeChallenge: String? = nil, codeChallengeMethod: String? = nil) {
        self.codeChallenge = codeChallenge
        self.codeChallengeMethod = codeChallengeMethod
        self.hash = hash
        self.clientID = clientID
        self.userName = userName
        self.sessionID = sessionID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.expiresAt = expiresAt
    }
}

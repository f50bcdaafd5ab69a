import Foundation
import HubAuth
import HubModel
import HubStore

/// The hub as OAuth 2 provider for single-user servers (protocol §2): codes for logged-in users who may
/// access the client's server, exchanged once for a token.
struct OAuthGrants: Sendable {
    let store: HubStore
    /// Codes are single-use and valid this long.
    static let codeLifetime: TimeInterval = 300
    /// Unredeemed codes kept per user; older ones are dropped when a new one is issued.
    static let pendingCodesPerUser = 50

    /// A refusal at the token endpoint, as RFC 6749 §5.2 names it.
    struct Refusal: Error, Sendable, Equatable {
        let error: String
        let description: String
        /// `invalid_client` is 401; everything else 400.
        var isClientAuthentication: Bool { error == "invalid_client" }
    }

    /// A token issued for a code.
    struct Grant: Sendable {
        let token: String
        let scopes: [String]
        let lifetime: TimeInterval
    }

    /// The registered client with this id.
    func client(id: String?) async throws -> OAuthClient {
        guard let id, let client = try await store.oauthClient(id: id) else { throw HubError.badRequest("Unknown OAuth client") }
        return client
    }

    /// A code for `user` to hand to `client`, if the user may access the client's server.
    func issueCode(to client: OAuthClient, for user: User, redirectURI: String, sessionID: String,
                   challenge: String?, challengeMethod: String?) async throws -> String {
        let owner = user.roleScopes
        let access = client.allowedScopes.filter { $0.hasPrefix("access:servers!server=") }
        guard let target = access.first?.dropFirst("access:servers!server=".count), let slash = target.firstIndex(of: "/") else {
            throw HubError.forbidden("This client grants no server access")
        }
        let serverUser = String(target[..<slash]), serverName = String(target[target.index(after: slash)...])
        guard owner.allows("access:servers", user: serverUser, server: serverName) else {
            throw HubError.forbidden("User \(user.name) is not allowed to access \(serverUser)'s server")
        }
        let code = Secrets.newToken()
        try await store.insert(OAuthCode(
            hash: Secrets.hash(code), clientID: client.id, userName: user.name, sessionID: sessionID,
            redirectURI: redirectURI,
            scopes: access + ["read:users:name!user=\(user.name)", "read:users:groups!user=\(user.name)"],
            expiresAt: Date().addingTimeInterval(Self.codeLifetime),
            codeChallenge: challenge, codeChallengeMethod: challenge == nil ? nil : (challengeMethod ?? "plain")), keepingAtMost: Self.pendingCodesPerUser)
        return code
    }

    /// Exchanges a code for a token valid `lifetime` seconds, checking the client's secret, the code's
    /// client, age and redirect URI, and the PKCE verifier when the code has a challenge.
    func exchange(clientID: String?, secret: String?, code: String?, redirectURI: String?, verifier: String?,
                  lifetime: TimeInterval) async throws -> Grant {
        guard let clientID, let secret, let client = try await store.oauthClient(id: clientID),
              Secrets.constantTimeEquals(client.secretHash, Secrets.hash(secret)) else {
            throw Refusal(error: "invalid_client", description: "client authentication failed")
        }
        guard let code, let grant = try await store.redeemCode(hash: Secrets.hash(code)) else {
            throw Refusal(error: "invalid_grant", description: "unknown or already used code")
        }
        guard grant.clientID == client.id, grant.expiresAt > Date() else {
            throw Refusal(error: "invalid_grant", description: "code expired or issued to another client")
        }
        guard (redirectURI ?? grant.redirectURI) == grant.redirectURI else {
            throw Refusal(error: "invalid_grant", description: "redirect_uri does not match")
        }
        if let challenge = grant.codeChallenge {
            guard let verifier, PKCE.verify(verifier, challenge: challenge, method: grant.codeChallengeMethod) else {
                throw Refusal(error: "invalid_grant", description: "PKCE verification failed")
            }
        }
        let token = Secrets.newToken()
        _ = try await store.insert(TokenRecord(
            hash: Secrets.hash(token), userName: grant.userName, scopes: grant.scopes,
            note: "OAuth token for \(client.description)", sessionID: grant.sessionID.isEmpty ? nil : grant.sessionID,
            oauthClientID: client.id, expiresAt: Date().addingTimeInterval(lifetime)))
        return Grant(token: token, scopes: grant.scopes, lifetime: lifetime)
    }
}

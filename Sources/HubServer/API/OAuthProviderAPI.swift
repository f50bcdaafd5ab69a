import Crypto
import Foundation
import HubModel
import Hummingbird

/// The hub as OAuth 2 provider for single-user servers (protocol §2): authorization-code flow
/// with the hub login cookie, single-use codes valid 300 s, optional PKCE (S256 or plain).
struct OAuthProviderAPI {
    let components: HubComponents
    static let codeLifetime: TimeInterval = 300

    func register(on router: Router<HubRequestContext>) {
        router.get("/hub/api/oauth2/authorize", use: authorize)
        router.post("/hub/api/oauth2/token", use: token)
    }

    @Sendable func authorize(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let user = try await components.cookieUser(request) else {
            let next = request.uri.description
            return Response.redirect(to: "/hub/login?next=\(PathQuoting.quote(next))", type: .found)
        }
        let query = request.uri.queryParameters
        guard let clientID = query["client_id"].map(String.init),
              let client = try await components.store.oauthClient(id: clientID) else {
            throw APIError.badRequest("Unknown OAuth client")
        }
        let redirectURI = query["redirect_uri"].map { String($0).removingPercentEncoding ?? String($0) } ?? client.redirectURI
        guard redirectURI == client.redirectURI else { throw APIError.badRequest("redirect_uri does not match the client") }
        guard query["response_type"] == "code" else { throw APIError.badRequest("response_type must be code") }
        let method = query["code_challenge_method"].map(String.init)
        let challenge = query["code_challenge"].map(String.init)
        if challenge != nil, !["S256", "plain", nil].contains(method) {
            throw APIError.badRequest("Unsupported code_challenge_method")
        }
        // The client's server: only users allowed to access it get a code.
        let owner = components.ownerScopes(of: user)
        let access = client.allowedScopes.filter { $0.hasPrefix("access:servers!server=") }
        guard let target = access.first?.dropFirst("access:servers!server=".count), let slash = target.firstIndex(of: "/") else {
            throw APIError(.forbidden, "This client grants no server access")
        }
        let serverUser = String(target[..<slash]), serverName = String(target[target.index(after: slash)...])
        guard owner.allows("access:servers", user: serverUser, server: serverName) else {
            throw APIError(.forbidden, "User \(user.name) is not allowed to access \(serverUser)'s server")
        }
        let code = Secrets.newToken()
        let sessionID = request.cookies[CookieNames.sessionID]?.value ?? ""
        try await components.store.insert(OAuthCode(
            hash: Secrets.hash(code), clientID: client.id, userName: user.name, sessionID: sessionID,
            redirectURI: redirectURI,
            scopes: access + ["read:users:name!user=\(user.name)", "read:users:groups!user=\(user.name)"],
            expiresAt: Date().addingTimeInterval(Self.codeLifetime),
            codeChallenge: challenge, codeChallengeMethod: challenge == nil ? nil : (method ?? "plain")))
        var location = redirectURI + (redirectURI.contains("?") ? "&" : "?") + "code=\(code)"
        if let state = query["state"] { location += "&state=\(PathQuoting.quote(String(state)))" }
        return Response.redirect(to: location, type: .found)
    }

    @Sendable func token(_ request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await request.decodeForm()
        func fail(_ error: String, _ description: String, _ status: HTTPResponse.Status = .badRequest) -> Response {
            JSONResponse.make(.object(["error": .string(error), "error_description": .string(description)]), status: status)
        }
        guard form["grant_type"] == "authorization_code" else {
            return fail("unsupported_grant_type", "only authorization_code is supported")
        }
        guard let clientID = form["client_id"], let secret = form["client_secret"],
              let client = try await components.store.oauthClient(id: clientID),
              Secrets.constantTimeEquals(client.secretHash, Secrets.hash(secret)) else {
            return fail("invalid_client", "client authentication failed", .unauthorized)
        }
        guard let code = form["code"], let grant = try await components.store.redeemCode(hash: Secrets.hash(code)) else {
            return fail("invalid_grant", "unknown or already used code")
        }
        guard grant.clientID == client.id, grant.expiresAt > Date() else {
            return fail("invalid_grant", "code expired or issued to another client")
        }
        guard (form["redirect_uri"] ?? grant.redirectURI) == grant.redirectURI else {
            return fail("invalid_grant", "redirect_uri does not match")
        }
        if let challenge = grant.codeChallenge {
            guard let verifier = form["code_verifier"], Self.verify(verifier, challenge: challenge, method: grant.codeChallengeMethod) else {
                return fail("invalid_grant", "PKCE verification failed")
            }
        }
        let token = Secrets.newToken()
        let lifetime = components.cookieMaxAge
        _ = try await components.store.insert(TokenRecord(
            hash: Secrets.hash(token), userName: grant.userName, scopes: grant.scopes,
            note: "OAuth token for \(client.description)", sessionID: grant.sessionID.isEmpty ? nil : grant.sessionID,
            oauthClientID: client.id, expiresAt: Date().addingTimeInterval(lifetime)))
        return JSONResponse.make(.object([
            "access_token": .string(token), "token_type": "Bearer",
            "expires_in": .number(lifetime.rounded()), "scope": .string(grant.scopes.joined(separator: " ")),
        ]))
    }

    /// RFC 7636 check of a code verifier against the stored challenge.
    static func verify(_ verifier: String, challenge: String, method: String?) -> Bool {
        guard method == "S256" else { return Secrets.constantTimeEquals(verifier, challenge) }
        let digest = Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return Secrets.constantTimeEquals(digest, challenge)
    }
}

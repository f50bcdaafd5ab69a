import CryptoExtras
import Foundation
import HubAuth
import HubModel
import JWTKit

/// An in-process OAuth 2 / OIDC provider behind ``OAuthHTTP``: discovery, JWKS, authorization codes
/// bound to their PKCE challenge and nonce, a token endpoint that checks the client secret and the
/// verifier and redeems each code once, userinfo, and refresh tokens.
actor FakeProvider: OAuthHTTP {
    static let issuer = "https://idp.example.org/realms/hpc"
    static let clientID = "slurmhub"
    static let clientSecret = "client-secret-0123"

    struct Grant {
        var subject: String
        var challenge: String
        var nonce: String?
        var redirectURI: String
    }

    let signer = JWTKeyCollection()
    var jwks: [[String: JSONValue]] = []
    var users: [String: [String: JSONValue]] = [:]
    var codes: [String: Grant] = [:]
    var accessTokens: [String: String] = [:]
    var refreshTokens: [String: String] = [:]
    var requests: [OAuthHTTPRequest] = []
    /// Tweaks of the next ID token's claims (tests of the checks).
    var idTokenOverrides: [String: JSONValue] = [:]
    var tokenLifetime = 3600
    var signingKeyID = "es-1"

    /// Adds an ES256 key (published) to sign with.
    func addECKey(id: String, publish: Bool = true) async throws {
        let key = ES256PrivateKey()
        await signer.add(ecdsa: key, kid: JWKIdentifier(string: id))
        guard let parameters = key.publicKey.parameters else { return }
        if publish {
            jwks.append(["kty": "EC", "crv": "P-256", "use": "sig", "kid": .string(id), "alg": "ES256",
                         "x": .string(parameters.x), "y": .string(parameters.y)])
        }
    }

    /// Adds an RS256 key (published without `alg`, as many providers do).
    func addRSAKey(id: String) async throws {
        let key = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        await signer.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: id))
        let primitives = try key.publicKey.getKeyPrimitives()
        jwks.append(["kty": "RSA", "use": "sig", "kid": .string(id),
                     "n": .string(Base64URL.encode(primitives.modulus)), "e": .string(Base64URL.encode(primitives.publicExponent))])
    }

    func setUser(_ subject: String, _ claims: [String: JSONValue]) { users[subject] = claims }
    func setOverrides(_ overrides: [String: JSONValue]) { idTokenOverrides = overrides }
    func setSigningKey(_ id: String) { signingKeyID = id }
    func setTokenLifetime(_ seconds: Int) { tokenLifetime = seconds }
    func requestLog() -> [OAuthHTTPRequest] { requests }

    /// What the browser does at the authorization endpoint: the user `subject` approves; returns the callback query.
    func approve(_ authorizeURL: String, as subject: String) throws -> [String: String] {
        guard let components = URLComponents(string: authorizeURL) else { throw FakeError("bad authorize URL") }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] { query[item.name] = item.value ?? "" }
        guard query["response_type"] == "code", query["client_id"] == Self.clientID,
              query["code_challenge_method"] == "S256", let challenge = query["code_challenge"],
              let redirect = query["redirect_uri"] else { throw FakeError("bad authorization request \(query)") }
        let code = Base64URL.random(bytes: 16)
        codes[code] = Grant(subject: subject, challenge: challenge, nonce: query["nonce"], redirectURI: redirect)
        return ["code": code, "state": query["state"] ?? ""]
    }

    func send(_ request: OAuthHTTPRequest) async throws -> OAuthHTTPResponse {
        requests.append(request)
        switch (request.method, request.url) {
        case ("GET", Self.issuer + "/.well-known/openid-configuration"):
            return json(200, [
                "issuer": .string(Self.issuer), "authorization_endpoint": .string(Self.issuer + "/auth"),
                "token_endpoint": .string(Self.issuer + "/token"), "userinfo_endpoint": .string(Self.issuer + "/userinfo"),
                "jwks_uri": .string(Self.issuer + "/certs"),
                "id_token_signing_alg_values_supported": .array(["RS256", "ES256"]),
            ])
        case ("GET", Self.issuer + "/certs"):
            return json(200, ["keys": .array(jwks.map { .object($0) })])
        case ("POST", Self.issuer + "/token"):
            return try await token(request)
        case ("GET", Self.issuer + "/userinfo"):
            let bearer = request.headers["Authorization"]?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
            guard let subject = accessTokens[bearer] else { return json(401, ["error": "invalid_token"]) }
            return json(200, (users[subject] ?? [:]).merging(["sub": .string(subject)]) { _, new in new })
        default:
            return json(404, ["error": "not_found"])
        }
    }

    func token(_ request: OAuthHTTPRequest) async throws -> OAuthHTTPResponse {
        let expectedBasic = "Basic " + Data("\(Self.clientID):\(Self.clientSecret)".utf8).base64EncodedString()
        let form = request.formFields
        let postAuth = form["client_id"] == Self.clientID && form["client_secret"] == Self.clientSecret
        guard request.headers["Authorization"] == expectedBasic || postAuth else {
            return json(401, ["error": "invalid_client"])
        }
        switch form["grant_type"] {
        case "authorization_code":
            guard let code = form["code"], let grant = codes.removeValue(forKey: code) else {
                return json(400, ["error": "invalid_grant", "error_description": "unknown or used code"])
            }
            guard PKCE.challenge(for: form["code_verifier"] ?? "") == grant.challenge else {
                return json(400, ["error": "invalid_grant", "error_description": "PKCE verification failed"])
            }
            guard form["redirect_uri"] == grant.redirectURI else { return json(400, ["error": "invalid_grant"]) }
            return try await issue(subject: grant.subject, nonce: grant.nonce)
        case "refresh_token":
            guard let token = form["refresh_token"], let subject = refreshTokens.removeValue(forKey: token) else {
                return json(400, ["error": "invalid_grant"])
            }
            return try await issue(subject: subject, nonce: nil)
        default:
            return json(400, ["error": "unsupported_grant_type"])
        }
    }

    func issue(subject: String, nonce: String?) async throws -> OAuthHTTPResponse {
        let access = Base64URL.random(bytes: 16), refresh = Base64URL.random(bytes: 16)
        accessTokens[access] = subject
        refreshTokens[refresh] = subject
        let now = Date().timeIntervalSince1970
        var claims: [String: JSONValue] = [
            "iss": .string(Self.issuer), "aud": .string(Self.clientID), "sub": .string(subject),
            "exp": .number(now + 300), "iat": .number(now),
        ]
        if let nonce { claims["nonce"] = .string(nonce) }
        claims.merge(users[subject] ?? [:]) { old, _ in old }
        claims.merge(idTokenOverrides) { _, new in new }
        let idToken = try await signer.sign(Claims(values: claims), kid: JWKIdentifier(string: signingKeyID))
        return json(200, ["access_token": .string(access), "token_type": "Bearer", "expires_in": .number(Double(tokenLifetime)),
                          "refresh_token": .string(refresh), "id_token": .string(idToken)])
    }

    func json(_ status: Int, _ body: [String: JSONValue]) -> OAuthHTTPResponse {
        OAuthHTTPResponse(status: status, body: Data(JSONValue.object(body).jsonString().utf8))
    }
}

/// Free-form claims to sign.
struct Claims: JWTPayload {
    var values: [String: JSONValue]
    init(values: [String: JSONValue]) { self.values = values }
    init(from decoder: any Decoder) throws { values = try decoder.singleValueContainer().decode([String: JSONValue].self) }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

struct FakeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

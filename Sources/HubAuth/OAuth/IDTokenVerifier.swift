import Foundation
import HubModel
import JWTKit

/// Verifies OIDC ID tokens: the signature against the provider's JWKS (RSA, RSA-PSS and ECDSA;
/// never `none` or HMAC), then `iss`, `aud`/`azp`, `exp`, `iat` and `nonce`.
///
/// The JWKS is fetched when first needed and again when a token names an unknown key id
/// (key rotation), at most once a minute.
actor IDTokenVerifier {
    static let asymmetric: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
    static let refetchInterval: TimeInterval = 60
    /// Clock skew tolerated on `exp` and `iat`, in seconds.
    static let leeway: TimeInterval = 120

    let issuer: String
    let clientID: String
    let http: any OAuthHTTP
    var keys = JWTKeyCollection()
    var keyIDs: Set<String> = []
    var loadedFrom: String?
    var lastFetch: Date?

    init(issuer: String, clientID: String, http: any OAuthHTTP) {
        self.issuer = issuer
        self.clientID = clientID
        self.http = http
    }

    /// The token's claims once everything checks out; throws ``LoginError`` (`.failed`) otherwise.
    func verify(_ token: String, jwksURI: String, allowedAlgorithms: [String]?, nonce: String,
                now: Date = Date()) async throws -> [String: JSONValue] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(String(parts[0])),
              let header = (try? JSONDecoder().decode(JSONValue.self, from: headerData))?.objectValue,
              let algorithm = header["alg"]?.stringValue else {
            throw Self.failure("ID token is not a JWS")
        }
        var allowed = Self.asymmetric
        if let advertised = allowedAlgorithms { allowed.formIntersection(advertised) }
        guard allowed.contains(algorithm) else { throw Self.failure("ID token algorithm \(algorithm) is not accepted") }
        let keyID = header["kid"]?.stringValue
        if loadedFrom != jwksURI || (keyID.map { !keyIDs.contains($0) } ?? keyIDs.isEmpty) {
            try await fetchKeys(jwksURI, now: now)
        }
        if let keyID, !keyIDs.contains(keyID) { throw Self.failure("ID token signed with unknown key '\(keyID)'") }
        let claims: [String: JSONValue]
        do {
            claims = try await keys.verify(token, as: RawClaims.self).claims
        } catch {
            throw Self.failure("ID token signature does not verify: \(error)")
        }
        try check(claims, nonce: nonce, now: now)
        return claims
    }

    func check(_ claims: [String: JSONValue], nonce: String, now: Date) throws {
        guard claims["iss"]?.stringValue.map(OAuthSettings.trimmingSlash) == issuer else {
            throw Self.failure("ID token issuer \(claims["iss"]?.jsonString() ?? "missing") is not \(issuer)")
        }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let single)?: audiences = [single]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(clientID) else { throw Self.failure("ID token audience \(audiences) lacks \(clientID)") }
        if let presenter = claims["azp"]?.stringValue, presenter != clientID {
            throw Self.failure("ID token authorized party \(presenter) is not \(clientID)")
        }
        if audiences.count > 1, claims["azp"] == nil {
            throw Self.failure("ID token has several audiences and no azp")
        }
        guard case .number(let expires)? = claims["exp"] else { throw Self.failure("ID token has no exp") }
        guard expires + Self.leeway > now.timeIntervalSince1970 else { throw Self.failure("ID token expired") }
        if case .number(let issued)? = claims["iat"], issued - Self.leeway > now.timeIntervalSince1970 {
            throw Self.failure("ID token issued in the future")
        }
        guard let tokenNonce = claims["nonce"]?.stringValue, Secrets.constantTimeEquals(tokenNonce, nonce) else {
            throw Self.failure("ID token nonce does not match this login")
        }
        guard claims["sub"]?.stringValue?.isEmpty == false else { throw Self.failure("ID token has no sub") }
    }

    func fetchKeys(_ uri: String, now: Date) async throws {
        if loadedFrom == uri, let lastFetch, now.timeIntervalSince(lastFetch) < Self.refetchInterval { return }
        lastFetch = now
        let response: OAuthHTTPResponse
        do {
            response = try await http.send(OAuthHTTPRequest(method: "GET", url: uri, headers: ["Accept": "application/json"]))
        } catch {
            throw LoginError(.unavailable, "The identity provider could not be reached", detail: "JWKS \(uri): \(error)")
        }
        guard response.status == 200, case .array(let entries)? = response.jsonObject?["keys"] else {
            throw LoginError(.unavailable, "The identity provider answered unexpectedly",
                             detail: "JWKS \(uri): HTTP \(response.status), no keys")
        }
        let collection = JWTKeyCollection()
        var ids: Set<String> = []
        for (index, entry) in entries.enumerated() {
            guard var key = entry.objectValue, key["use"]?.stringValue ?? "sig" == "sig" else { continue }
            // A key without id gets one, so that a token without `kid` can use the first key.
            let keyID = key["kid"]?.stringValue ?? "slurmhub-key-\(index)"
            key["kid"] = .string(keyID)
            do {
                let jwk = try JSONDecoder().decode(JWK.self, from: Data(JSONValue.object(key).jsonString().utf8))
                try await collection.add(jwk: jwk)
                ids.insert(keyID)
            } catch {
                continue  // a key type this verifier does not use
            }
        }
        keys = collection
        keyIDs = ids
        loadedFrom = uri
    }

    static func failure(_ detail: String) -> LoginError {
        LoginError(.failed, "The identity provider's answer could not be verified", detail: detail)
    }
}

/// The payload as free-form claims; checks happen in ``IDTokenVerifier/check(_:nonce:now:)``.
struct RawClaims: JWTPayload {
    let claims: [String: JSONValue]

    init(from decoder: any Decoder) throws {
        claims = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(claims)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

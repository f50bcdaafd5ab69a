import Foundation
import HubModel

/// The provider's token endpoint: the authorization-code exchange (with the PKCE verifier) and
/// refreshes, authenticated with the client secret (HTTP Basic or form fields).
struct TokenEndpoint: Sendable {
    let settings: OAuthSettings
    let http: any OAuthHTTP

    /// Exchanges an authorization code for tokens.
    func exchange(url: String, code: String, verifier: String) async throws -> AuthState {
        try await request(url: url, fields: [
            ("grant_type", "authorization_code"), ("code", code),
            ("redirect_uri", settings.callbackURL), ("code_verifier", verifier),
        ])
    }

    /// Renews tokens with a refresh token; the old refresh and ID tokens are kept when no new ones come.
    func refresh(url: String, state: AuthState) async throws -> AuthState {
        guard let refreshToken = state.refreshToken else { throw AuthStateError("no refresh token") }
        var renewed = try await request(url: url, fields: [("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
        renewed.refreshToken = renewed.refreshToken ?? refreshToken
        renewed.idToken = renewed.idToken ?? state.idToken
        renewed.scope = renewed.scope ?? state.scope
        return renewed
    }

    func request(url: String, fields: [(String, String)], now: Date = Date()) async throws -> AuthState {
        var fields = fields
        var headers = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
        if settings.tokenEndpointAuth == "client_secret_post" {
            fields += [("client_id", settings.clientID), ("client_secret", settings.clientSecret)]
        } else {
            // RFC 6749 §2.3.1: both parts form-encoded before Base64.
            let credentials = FormEncoding.escape(settings.clientID) + ":" + FormEncoding.escape(settings.clientSecret)
            headers["Authorization"] = "Basic " + Data(credentials.utf8).base64EncodedString()
        }
        let response: OAuthHTTPResponse
        do {
            response = try await http.send(OAuthHTTPRequest(method: "POST", url: url, headers: headers,
                                                            body: Data(FormEncoding.encode(fields).utf8)))
        } catch {
            throw LoginError(.unavailable, "The identity provider could not be reached", detail: "token endpoint \(url): \(error)")
        }
        let body = response.jsonObject
        guard response.status == 200, let body, let accessToken = body["access_token"]?.stringValue, !accessToken.isEmpty else {
            if (400..<500).contains(response.status) {
                let error = body?["error"]?.stringValue ?? "HTTP \(response.status)"
                let description = body?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
                throw LoginError(.failed, "The identity provider refused the login; please sign in again",
                                 detail: "token endpoint refused the grant (\(error)\(description))")
            }
            throw LoginError(.unavailable, "The identity provider answered unexpectedly",
                             detail: "token endpoint \(url): HTTP \(response.status)")
        }
        return AuthState(
            accessToken: accessToken, tokenType: body["token_type"]?.stringValue ?? "Bearer",
            refreshToken: body["refresh_token"]?.stringValue, idToken: body["id_token"]?.stringValue,
            scope: body["scope"]?.stringValue,
            expiresAt: body["expires_in"]?.intValue.map { now.addingTimeInterval(TimeInterval($0)) }, obtained: now)
    }
}

/// The userinfo / userdata endpoint: the user's claims for an access token.
struct UserinfoEndpoint: Sendable {
    let http: any OAuthHTTP

    func claims(url: String, accessToken: String) async throws -> [String: JSONValue] {
        let response: OAuthHTTPResponse
        do {
            response = try await http.send(OAuthHTTPRequest(method: "GET", url: url, headers: [
                "Authorization": "Bearer \(accessToken)", "Accept": "application/json",
            ]))
        } catch {
            throw LoginError(.unavailable, "The identity provider could not be reached", detail: "userinfo \(url): \(error)")
        }
        guard response.status == 200, let claims = response.jsonObject else {
            throw LoginError(.unavailable, "The identity provider answered unexpectedly",
                             detail: "userinfo \(url): HTTP \(response.status) (JSON object expected)")
        }
        return claims
    }
}

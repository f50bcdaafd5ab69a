import Foundation
import HubConfig
import HubModel

/// The provider's endpoints in use: configured ones, or from OIDC discovery.
struct ProviderEndpoints: Sendable, Equatable {
    var authorizeURL: String
    var tokenURL: String
    /// Userinfo / userdata; `nil` when an OIDC provider has none (claims come from the ID token).
    var userinfoURL: String?
    var jwksURI: String?
    /// `id_token_signing_alg_values_supported`, when the provider said.
    var signingAlgorithms: [String]?
}

/// Finds and caches the provider's endpoints. OIDC discovery happens at the first login (not at
/// start, so an unreachable provider does not stop the hub) and again after an hour.
actor ProviderDirectory {
    static let rediscoverAfter: TimeInterval = 3600
    let settings: OAuthSettings
    let http: any OAuthHTTP
    var cached: (endpoints: ProviderEndpoints, at: Date)?

    init(settings: OAuthSettings, http: any OAuthHTTP) {
        self.settings = settings
        self.http = http
    }

    func endpoints(now: Date = Date()) async throws -> ProviderEndpoints {
        if let cached, now.timeIntervalSince(cached.at) < Self.rediscoverAfter { return cached.endpoints }
        let endpoints = settings.isOIDC ? try await discover() : ProviderEndpoints(
            authorizeURL: settings.authorizeURL, tokenURL: settings.tokenURL, userinfoURL: settings.userdataURL)
        cached = (endpoints, now)
        return endpoints
    }

    func discover() async throws -> ProviderEndpoints {
        let url = settings.issuer + "/.well-known/openid-configuration"
        let response: OAuthHTTPResponse
        do {
            response = try await http.send(OAuthHTTPRequest(method: "GET", url: url, headers: ["Accept": "application/json"]))
        } catch {
            throw LoginError(.unavailable, "The identity provider could not be reached", detail: "OIDC discovery \(url): \(error)")
        }
        guard response.status == 200, let document = response.jsonObject else {
            throw LoginError(.unavailable, "The identity provider answered unexpectedly",
                             detail: "OIDC discovery \(url): HTTP \(response.status)")
        }
        let issuer = OAuthSettings.trimmingSlash(document["issuer"]?.stringValue ?? "")
        guard issuer == settings.issuer else {
            throw LoginError(.unavailable, "The identity provider is misconfigured",
                             detail: "OIDC discovery: issuer '\(issuer)' is not the configured '\(settings.issuer)'")
        }
        func endpoint(_ key: String, override: String) throws -> String? {
            let value = override.isEmpty ? document[key]?.stringValue : override
            guard let value else { return nil }
            guard Self.isAcceptable(value) else {
                throw LoginError(.unavailable, "The identity provider is misconfigured",
                                 detail: "OIDC discovery: \(key) '\(value)' is not https")
            }
            return value
        }
        guard let authorize = try endpoint("authorization_endpoint", override: settings.authorizeURL),
              let token = try endpoint("token_endpoint", override: settings.tokenURL),
              let jwks = try endpoint("jwks_uri", override: "") else {
            throw LoginError(.unavailable, "The identity provider is misconfigured",
                             detail: "OIDC discovery: authorization_endpoint, token_endpoint or jwks_uri missing")
        }
        var algorithms: [String]?
        if case .array(let values)? = document["id_token_signing_alg_values_supported"] {
            algorithms = values.compactMap(\.stringValue)
        }
        return ProviderEndpoints(authorizeURL: authorize, tokenURL: token,
                                 userinfoURL: try endpoint("userinfo_endpoint", override: settings.userdataURL),
                                 jwksURI: jwks, signingAlgorithms: algorithms)
    }

    /// https, or http to a loopback host (test providers).
    static func isAcceptable(_ url: String) -> Bool {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host else {
            return false
        }
        return scheme == "https" || (scheme == "http" && ConfigLoader.isLoopbackHost(host))
    }
}

import Foundation
import HubModel
import Hummingbird

/// `/hub/api/oauth2/…`: the hub as OAuth 2 provider for single-user servers (protocol §2), the
/// authorization-code flow with the hub login cookie and optional PKCE (S256 or plain); ``OAuthGrants`` decides.
struct OAuthProviderAPI {
    let components: HubComponents

    func register(on router: RouterGroup<HubRequestContext>) {
        router.get("/hub/api/oauth2/authorize", use: authorize)
        router.post("/hub/api/oauth2/token", use: token)
    }

    @Sendable func authorize(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let user = context.loginUser else {
            let next = request.uri.description
            return Response.redirect(to: "/hub/login?next=\(PathQuoting.quote(next))", type: .found)
        }
        let query = request.uri.queryParameters
        let client = try await components.oauth.client(id: query["client_id"].map(String.init))
        let redirectURI = query["redirect_uri"].map { String($0).removingPercentEncoding ?? String($0) } ?? client.redirectURI
        guard redirectURI == client.redirectURI else { throw HubError.badRequest("redirect_uri does not match the client") }
        guard query["response_type"] == "code" else { throw HubError.badRequest("response_type must be code") }
        let method = query["code_challenge_method"].map(String.init)
        let challenge = query["code_challenge"].map(String.init)
        if challenge != nil, !["S256", "plain", nil].contains(method) {
            throw HubError.badRequest("Unsupported code_challenge_method")
        }
        let code = try await components.oauth.issueCode(
            to: client, for: user, redirectURI: redirectURI, sessionID: components.cookiePolicy.value(CookieNames.sessionID, in: request) ?? "",
            challenge: challenge, challengeMethod: method)
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
        do {
            let grant = try await components.oauth.exchange(
                clientID: form["client_id"], secret: form["client_secret"], code: form["code"],
                redirectURI: form["redirect_uri"], verifier: form["code_verifier"], lifetime: components.cookieMaxAge)
            return JSONResponse.make(.object([
                "access_token": .string(grant.token), "token_type": "Bearer",
                "expires_in": .number(grant.lifetime.rounded()), "scope": .string(grant.scopes.joined(separator: " ")),
            ]))
        } catch let refusal as OAuthGrants.Refusal {
            return fail(refusal.error, refusal.description, refusal.isClientAuthentication ? .unauthorized : .badRequest)
        }
    }
}

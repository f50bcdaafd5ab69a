import Foundation
@testable import HubAuth
import HubModel
import XCTest

/// The authorization-code flow end to end against ``FakeProvider``.
final class OAuthFlowTests: XCTestCase {
    func testOIDCLoginLowerCasesNameAndReadsGroupsAndTokens() async throws {
        let provider = try await Fixture.makeProvider()
        let user = try await Fixture.login(try Fixture.makeAuthenticator(provider), provider, as: "u-alice")
        XCTAssertEqual(user.name, "alice")
        XCTAssertEqual(user.groups, ["hpc", "staff"])
        XCTAssertEqual(user.admin, true)
        XCTAssertNotNil(user.authState?.refreshToken)
        XCTAssertNotNil(user.authState?.idToken)
    }

    func testRSAKeysWithoutAlgVerify() async throws {
        let provider = try await Fixture.makeProvider()
        try await provider.addRSAKey(id: "rsa-1")
        await provider.setSigningKey("rsa-1")
        let user = try await Fixture.login(try Fixture.makeAuthenticator(provider), provider, as: "u-alice")
        XCTAssertEqual(user.name, "alice")
    }

    func testAuthorizeURLCarriesStateS256ChallengeNonceAndScope() async throws {
        let provider = try await Fixture.makeProvider()
        let redirect = try await Fixture.makeAuthenticator(provider).loginRedirect(next: "/user/alice/lab")
        let query = Dictionary(uniqueKeysWithValues: (URLComponents(string: redirect.url)?.queryItems ?? []).map {
            ($0.name, $0.value ?? "")
        })
        XCTAssertTrue(redirect.url.hasPrefix(FakeProvider.issuer + "/auth?"))
        XCTAssertEqual(query["state"], redirect.pending.state)
        XCTAssertEqual(query["nonce"], redirect.pending.nonce)
        XCTAssertEqual(query["code_challenge"], PKCE.challenge(for: redirect.pending.codeVerifier))
        XCTAssertEqual(query["code_challenge_method"], "S256")
        XCTAssertEqual(query["scope"], "openid profile")
        XCTAssertEqual(query["redirect_uri"], "https://hub.example.org/hub/oauth_callback")
        XCTAssertEqual(redirect.pending.next, "/user/alice/lab")
        XCTAssertGreaterThanOrEqual(redirect.pending.codeVerifier.count, 43)
        XCTAssertEqual(PendingLogin(encoded: redirect.pending.encoded()), redirect.pending)
    }

    func testWrongPKCEVerifierFailsAtTheTokenEndpoint() async throws {
        let provider = try await Fixture.makeProvider()
        let authenticator = try Fixture.makeAuthenticator(provider)
        await Fixture.assertLoginError(.failed, detail: "PKCE verification failed") {
            _ = try await Fixture.login(authenticator, provider, as: "u-alice") { _, pending in
                pending?.codeVerifier = PKCE.newVerifier()
            }
        }
    }

    func testBadOrMissingStateFails() async throws {
        let provider = try await Fixture.makeProvider()
        let authenticator = try Fixture.makeAuthenticator(provider)
        await Fixture.assertLoginError(.invalidRequest, detail: "state does not match") {
            _ = try await Fixture.login(authenticator, provider, as: "u-alice") { callback, _ in callback["state"] = "forged" }
        }
        await Fixture.assertLoginError(.invalidRequest) {
            _ = try await Fixture.login(authenticator, provider, as: "u-alice") { callback, _ in callback["state"] = nil }
        }
        await Fixture.assertLoginError(.invalidRequest) {
            _ = try await Fixture.login(authenticator, provider, as: "u-alice") { _, pending in pending = nil }
        }
    }

    func testReplayedCallbackFails() async throws {
        let provider = try await Fixture.makeProvider()
        let authenticator = try Fixture.makeAuthenticator(provider)
        let redirect = try await authenticator.loginRedirect(next: nil)
        let callback = try await provider.approve(redirect.url, as: "u-alice")
        _ = try await authenticator.completeLogin(callback: callback, pending: redirect.pending)
        await Fixture.assertLoginError(.invalidRequest, detail: "replayed") {
            _ = try await authenticator.completeLogin(callback: callback, pending: redirect.pending)
        }
        // A fresh login carrying the used code: the provider redeems a code once.
        let second = try await authenticator.loginRedirect(next: nil)
        _ = try await provider.approve(second.url, as: "u-alice")
        await Fixture.assertLoginError(.failed, detail: "unknown or used code") {
            _ = try await authenticator.completeLogin(callback: ["code": callback["code"] ?? "", "state": second.pending.state],
                                                      pending: second.pending)
        }
    }

    func testUserOutsideAllowedGroupsIsRefused() async throws {
        let provider = try await Fixture.makeProvider()
        await Fixture.assertLoginError(.refused, detail: "refused mallory") {
            _ = try await Fixture.login(try Fixture.makeAuthenticator(provider), provider, as: "u-mallory")
        }
    }

    func testProviderErrorOnCallbackFails() async throws {
        let provider = try await Fixture.makeProvider()
        await Fixture.assertLoginError(.refused) {
            _ = try await Fixture.login(try Fixture.makeAuthenticator(provider), provider, as: "u-alice") { callback, _ in
                callback["code"] = nil
                callback["error"] = "access_denied"
            }
        }
    }

    func testPlainOAuth2TakesTheIdClaimFromUserdata() async throws {
        let provider = try await Fixture.makeProvider()
        await provider.setUser("12345", ["id": "VSC10001", "groups": .array(["hpc"])])
        let user = try await Fixture.login(try Fixture.makeAuthenticator(provider, oidc: false), provider, as: "12345")
        XCTAssertEqual(user.name, "vsc10001")
        XCTAssertEqual(user.admin, false)
        let urls = await provider.requestLog().map(\.url)
        XCTAssertFalse(urls.contains { $0.hasSuffix("/certs") || $0.hasSuffix("openid-configuration") }, "\(urls)")
    }

    func testClientSecretPostSendsCredentialsInTheForm() async throws {
        let provider = try await Fixture.makeProvider()
        var authenticator = try Fixture.makeAuthenticator(provider)
        var settings = authenticator.settings
        settings.tokenEndpointAuth = "client_secret_post"
        authenticator = OAuthAuthenticator(settings: settings, rules: authenticator.rules, http: provider, keeper: nil)
        _ = try await Fixture.login(authenticator, provider, as: "u-alice")
        let tokenRequest = await provider.requestLog().first { $0.url.hasSuffix("/token") }
        XCTAssertNil(tokenRequest?.headers["Authorization"])
        XCTAssertEqual(tokenRequest?.formFields["client_secret"], FakeProvider.clientSecret)
    }
}

/// Builders for the OAuth tests: a provider with users alice and mallory, an authenticator for it, a login.
enum Fixture {
    static func makeProvider() async throws -> FakeProvider {
        let provider = FakeProvider()
        try await provider.addECKey(id: "es-1")
        await provider.setUser("u-alice", ["preferred_username": "Alice", "groups": .array(["hpc", "staff"])])
        await provider.setUser("u-mallory", ["preferred_username": "mallory", "groups": .array(["guests"])])
        return provider
    }

    static func makeAuthenticator(_ provider: FakeProvider, oidc: Bool = true, rules: AccessRules? = nil,
                           keeper: AuthStateKeeper? = nil, refresh: Bool = false) throws -> OAuthAuthenticator {
        let issuer = FakeProvider.issuer
        let settings = OAuthSettings(
            clientID: FakeProvider.clientID, clientSecret: FakeProvider.clientSecret, issuer: oidc ? issuer : "",
            authorizeURL: oidc ? "" : issuer + "/auth", tokenURL: oidc ? "" : issuer + "/token",
            userdataURL: oidc ? "" : issuer + "/userinfo", scope: oidc ? ["openid", "profile"] : [],
            callbackURL: "https://hub.example.org/hub/oauth_callback", loginService: "Example", refreshAuthState: refresh)
        let defaultRules = AccessRules(usernameClaim: oidc ? "preferred_username" : "id", allowedGroups: ["hpc"],
                                       adminGroups: ["staff"], policy: try UsernamePolicy(), service: "Example")
        return OAuthAuthenticator(settings: settings, rules: rules ?? defaultRules, http: provider, keeper: keeper)
    }

    /// Starts a login, lets `subject` approve it, lets `tamper` change what comes back, completes it.
    static func login(_ authenticator: OAuthAuthenticator, _ provider: FakeProvider, as subject: String,
               tamper: (inout [String: String], inout PendingLogin?) -> Void = { _, _ in }) async throws -> AuthenticatedUser {
        let redirect = try await authenticator.loginRedirect(next: "/hub/home")
        var callback = try await provider.approve(redirect.url, as: subject)
        var pending: PendingLogin? = redirect.pending
        tamper(&callback, &pending)
        return try await authenticator.completeLogin(callback: callback, pending: pending)
    }

    static func assertLoginError(_ kind: LoginError.Kind, detail: String = "", _ body: () async throws -> Void,
                                 file: StaticString = #filePath, line: UInt = #line) async {
        do {
            try await body()
            XCTFail("login succeeded", file: file, line: line)
        } catch let error as LoginError {
            XCTAssertEqual(error.kind, kind, error.detail, file: file, line: line)
            XCTAssertTrue(detail.isEmpty || error.detail.contains(detail), "'\(error.detail)' lacks '\(detail)'", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }
}

import Foundation
import HubConfig
import XCTest

/// `auth.kind: oauth` configuration: defaults and validation.
final class OAuthConfigTests: XCTestCase {
    func load(_ yaml: String) throws -> HubConfiguration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("c.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigLoader.load(path: path, environment: [:])
    }

    func oauth(_ extra: String, publicURL: String = "https://jupyter.example.org") -> String {
        """
        hub: {public_bind: "127.0.0.1:8000", public_url: "\(publicURL)"}
        auth:
          kind: oauth
          oauth: {client_id: hub, client_secret_file: /etc/slurmhub/oauth-secret, \(extra)}
        """
    }

    func assertInvalid(_ yaml: String, mentions: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(yaml), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(mentions), "\(error)", file: file, line: line)
        }
    }

    func testDefaultsAndOIDC() throws {
        let config = try load(oauth("issuer: https://idp.example.org/realms/hpc, allowed_groups: [hpc]"))
        let section = config.auth.oauth
        XCTAssertEqual(section.scope, ["openid", "profile", "email"])
        XCTAssertEqual(section.effectiveUsernameClaim, "preferred_username")
        XCTAssertEqual(section.groupsClaim, "groups")
        XCTAssertEqual(section.effectiveCallbackURL(publicURL: config.hub.publicURL),
                       "https://jupyter.example.org/hub/oauth_callback")
        XCTAssertFalse(section.autoLogin)
        XCTAssertFalse(section.refreshAuthState)
    }

    func testPlainOAuth2LikeTheVSCAccountPage() throws {
        let config = try load(oauth("""
            authorize_url: "https://account.vscentrum.be/django/oauth/authorize/", \
            token_url: "https://account.vscentrum.be/django/oauth/token/", \
            userdata_url: "https://account.vscentrum.be/django/oauth/current_vsc_user", scope: [], allow_all: true
            """))
        XCTAssertFalse(config.auth.oauth.isOIDC)
        XCTAssertEqual(config.auth.oauth.effectiveUsernameClaim, "id")
    }

    func testInvalidConfigurations() {
        assertInvalid(oauth("issuer: https://idp.example.org, allow_all: true").replacingOccurrences(of: "client_id: hub", with: "client_id: ''"),
                      mentions: "client_id")
        assertInvalid(oauth("allow_all: true"), mentions: "authorize_url")
        assertInvalid(oauth("issuer: http://idp.example.org, allow_all: true"), mentions: "must be https")
        assertInvalid(oauth("issuer: https://idp.example.org"), mentions: "nobody could log in")
        assertInvalid(oauth("issuer: https://idp.example.org, allow_all: true", publicURL: ""), mentions: "callback_url")
        assertInvalid(oauth("issuer: https://idp.example.org, allow_all: true, scope: [profile]"), mentions: "openid")
        assertInvalid(oauth("issuer: https://idp.example.org, allow_all: true, token_endpoint_auth: jwt"),
                      mentions: "token_endpoint_auth")
        assertInvalid(oauth("issuer: https://idp.example.org, allowed_users: [Alice]"), mentions: "allowed_users")
        assertInvalid(oauth("issuer: https://idp.example.org, allow_all: true").replacingOccurrences(
            of: ", client_secret_file: /etc/slurmhub/oauth-secret", with: ""), mentions: "client_secret_file")
    }

    func testLoopbackProvidersMayUseHTTP() throws {
        _ = try load(oauth("issuer: 'http://127.0.0.1:9400', allow_all: true", publicURL: "http://127.0.0.1:8000"))
        _ = try load(oauth("issuer: 'http://localhost:9400', allow_all: true", publicURL: "http://127.0.0.1:8000"))
    }
}

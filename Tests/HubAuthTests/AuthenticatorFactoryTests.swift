import Foundation
import HubAuth
import HubConfig
import HubModel
import HubStore
import Logging
import XCTest

/// `auth.kind` picks the authenticator; OAuth reads its secret file and creates the auth state key.
final class AuthenticatorFactoryTests: XCTestCase {
    func setUp(kind: String, extra: String = "") throws -> (HubConfiguration, HubStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        try "client-secret-0123\n".write(toFile: directory + "/secret", atomically: true, encoding: .utf8)
        let yaml = """
            hub: {public_bind: "127.0.0.1:8000", public_url: "https://jupyter.example.org", data_dir: "\(directory)/data"}
            auth:
              kind: \(kind)
              oauth: {client_id: hub, client_secret_file: "\(directory)/secret", issuer: "https://idp.example.org",
                      allow_all: true\(extra)}
            """
        try yaml.write(toFile: directory + "/c.yaml", atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: directory + "/c.yaml", environment: [:])
        return (config, try HubStore(path: directory + "/data/db.sqlite"), directory)
    }

    func testOAuthKindBuildsTheRedirectAuthenticator() throws {
        let (config, store, directory) = try setUp(kind: "oauth")
        let authenticator = try AuthenticatorFactory.make(config: config, store: store, policy: try UsernamePolicy(),
                                                          logger: Logger(label: "test"))
        let oauth = try XCTUnwrap(authenticator as? OAuthAuthenticator)
        XCTAssertEqual(oauth.kind, "oauth")
        XCTAssertEqual(oauth.settings.clientSecret, "client-secret-0123")
        XCTAssertEqual(oauth.settings.callbackURL, "https://jupyter.example.org/hub/oauth_callback")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/data/auth-state-key")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testDevKindStaysTheFormLogin() throws {
        let (config, store, _) = try setUp(kind: "dev")
        let authenticator = try AuthenticatorFactory.make(config: config, store: store, policy: try UsernamePolicy(),
                                                          logger: Logger(label: "test"))
        XCTAssertEqual(authenticator.kind, "dev")
        XCTAssertNil(authenticator as? any RedirectAuthenticator)
    }

    func testUnreadableCAFileIsAConfigError() throws {
        let (config, store, _) = try setUp(kind: "oauth", extra: ", tls_ca_file: /nonexistent/ca.pem")
        XCTAssertThrowsError(try AuthenticatorFactory.make(config: config, store: store, policy: try UsernamePolicy(),
                                                           logger: Logger(label: "test"))) { error in
            XCTAssertTrue("\(error)".contains("tls_ca_file"), "\(error)")
        }
    }
}

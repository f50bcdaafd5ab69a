import Foundation
import HTTPTypes
import HubModel
@testable import HubServer
import Hummingbird
import HummingbirdTesting
import XCTest

private let token = "service-token-0123456789"

/// URLs the hub writes come from its configuration, never from headers a client chose.
final class ClientHeaderTrustTests: XCTestCase {
    private func makeHub(publicURL: String) async throws -> TestHub {
        try await TestHub.make(yaml: """
            hub: {public_bind: "127.0.0.1:0", api_bind: "127.0.0.1:8081", data_dir: "$DIR/data", public_url: "\(publicURL)"}
            auth: {dev: {users: [alice, bob, carol]}}
            services: [{name: admin-svc, api_token_file: "$DIR/svc", admin: true}]
            proxy: {api_bind: ""}
            """, files: ["svc": "\(token)\n"])
    }

    private func nextURL(_ hub: TestHub) async throws -> String? {
        try await hub.application().test(.router) { client in
            let headers: HTTPFields = [
                .authorization: "token \(token)", .accept: "application/jupyterhub-pagination+json",
                HTTPField.Name("X-Forwarded-Host")!: "evil.example",
                HTTPField.Name("X-Forwarded-Proto")!: "gopher",
            ]
            return try await client.execute(uri: "/hub/api/users?limit=1", method: .get, headers: headers) { response in
                let body = JSONValue.parse(String(buffer: response.body))?.objectValue
                return body?["_pagination"]?.objectValue?["next"]?.objectValue?["url"]?.stringValue
            }
        }
    }

    func testPaginationNextURLUsesThePublicURL() async throws {
        let url = try await nextURL(try await makeHub(publicURL: "https://hub.example.org/"))
        XCTAssertEqual(url, "https://hub.example.org/hub/api/users?offset=1&limit=1")
    }

    func testPaginationNextURLWithoutAPublicURLIsTheHubAPI() async throws {
        let url = try await nextURL(try await makeHub(publicURL: ""))
        XCTAssertEqual(url, "http://127.0.0.1:8081/hub/api/users?offset=1&limit=1")
    }

    func testRedirectPathsNeverBecomeProtocolRelative() {
        XCTAssertEqual(HubURLs.sameOriginLocation("//evil.example/x"), "/evil.example/x")
        XCTAssertEqual(HubURLs.sameOriginLocation("/\\evil.example"), "/evil.example")
        XCTAssertEqual(HubURLs.sameOriginLocation("\\\\evil.example"), "/evil.example")
        XCTAssertEqual(HubURLs.sameOriginLocation("///user/alice/?redirects=1"), "/user/alice/?redirects=1")
        XCTAssertEqual(HubURLs.sameOriginLocation("/hub/home"), "/hub/home")
        XCTAssertEqual(HubURLs.sameOriginLocation("https://idp.example.org/auth?x=1"), "https://idp.example.org/auth?x=1")
    }

    /// `/hub//user/alice/…` reaches the hub's user-URL handler; whatever it answers, the `Location` is a path.
    func testADoubleSlashUserURLRedirectsToAPath() async throws {
        let hub = try await makeHub(publicURL: "")
        try await hub.application().test(.router) { client in
            for uri in ["/hub//user/alice/lab", "//user/alice/lab", "/hub/user-redirect//evil.example/x"] {
                try await client.execute(uri: uri, method: .get) { response in
                    if let location = response.headers[.location] {
                        XCTAssertFalse(location.hasPrefix("//"), "\(uri) → \(location)")
                    }
                }
            }
        }
    }
}

import Foundation
import HTTPTypes
import HubAuth
import HubConfig
import HubModel
@testable import HubServer
import HubStore
import Hummingbird
import HummingbirdTesting
import Logging
import XCTest

private let serviceToken = "service-token-0123456789"

private func auth() -> HTTPFields { [.authorization: "token \(serviceToken)"] }

final class HubAPITests: XCTestCase {

    func makeApp() async throws -> (some ApplicationProtocol, HubComponents) {
        let hub = try await TestHub.make(yaml: """
            auth: {dev: {users: [alice, bob, carol]}}
            services: [{name: admin-svc, api_token_file: "$DIR/svc", admin: true}]
            proxy: {api_bind: ""}
            """, files: ["svc": "\(serviceToken)\n"])
        return (hub.application(), hub.components)
    }

    func testRootAnswersUnauthenticatedWithVersionHeader() async throws {
        let (app, _) = try await makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/hub/api", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[HTTPField.Name("X-JupyterHub-Version")!], HubVersion.jupyterHubAPI)
                XCTAssertEqual(String(buffer: response.body), #"{"version":"\#(HubVersion.jupyterHubAPI)"}"#)
            }
        }
    }

    func testMissingOrBadCredentialsAre403JSON() async throws {
        let (app, _) = try await makeApp()
        try await app.test(.router) { client in
            for headers: HTTPFields in [[:], [.authorization: "token nope"], [.authorization: "basic abc"]] {
                try await client.execute(uri: "/hub/api/users", method: .get, headers: headers) { response in
                    XCTAssertEqual(response.status, .forbidden)
                    XCTAssertEqual(JSONValue.parse(String(buffer: response.body)),
                                   .object(["status": 403, "message": "Missing or invalid credentials."]))
                }
            }
        }
    }

    func testPaginationWithAndWithoutAcceptHeader() async throws {
        let (app, _) = try await makeApp()
        try await app.test(.router) { client in
            var headers = auth()
            try await client.execute(uri: "/hub/api/users", method: .get, headers: headers) { response in
                guard case .array(let users)? = JSONValue.parse(String(buffer: response.body)) else { return XCTFail("not a list") }
                XCTAssertEqual(users.count, 3)
            }
            headers[.accept] = "application/jupyterhub-pagination+json"
            try await client.execute(uri: "/hub/api/users?limit=2", method: .get, headers: headers) { response in
                let body = JSONValue.parse(String(buffer: response.body))?.objectValue
                guard case .array(let items)? = body?["items"] else { return XCTFail("no items") }
                XCTAssertEqual(items.count, 2)
                let pagination = body?["_pagination"]?.objectValue
                XCTAssertEqual(pagination?["total"], 3)
                XCTAssertEqual(pagination?["next"]?.objectValue?["offset"], 2)
            }
            try await client.execute(uri: "/hub/api/users?state=bogus", method: .get, headers: auth()) { response in
                XCTAssertEqual(response.status, .badRequest)
            }
        }
    }

    func testUserCreationValidatesNamesAndChangesNothingOnError() async throws {
        let (app, components) = try await makeApp()
        try await app.test(.router) { client in
            let bad = ByteBuffer(string: #"{"usernames": ["dave", "a/b"]}"#)
            try await client.execute(uri: "/hub/api/users", method: .post, headers: auth(), body: bad) { response in
                XCTAssertEqual(response.status, .badRequest)
            }
            let missing = try await components.store.user(named: "dave")
            XCTAssertNil(missing)
            try await client.execute(uri: "/hub/api/users", method: .post, headers: auth(), body: ByteBuffer(string: "{nope")) { response in
                XCTAssertEqual(response.status, .badRequest)
            }
            let good = ByteBuffer(string: #"{"usernames": ["Dave"]}"#)
            try await client.execute(uri: "/hub/api/users", method: .post, headers: auth(), body: good) { response in
                XCTAssertEqual(response.status, .created)
            }
            let created = try await components.store.user(named: "dave")
            XCTAssertNotNil(created)
        }
    }

    func testIdentityOfServiceToken() async throws {
        let (app, _) = try await makeApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/hub/api/user", method: .get, headers: auth()) { response in
                let body = JSONValue.parse(String(buffer: response.body))?.objectValue
                XCTAssertEqual(body?["kind"], "service")
                XCTAssertEqual(body?["name"], "admin-svc")
            }
        }
    }
}

final class NextURLTests: XCTestCase {
    func testNextMustBeLocal() {
        XCTAssertEqual(HubComponents.safeNext("/user/alice/lab"), "/user/alice/lab")
        for bad in ["https://evil.example", "//evil.example/x", "/\\evil", "evil", "/a\nb"] {
            XCTAssertNil(HubComponents.safeNext(bad), bad)
        }
    }
}

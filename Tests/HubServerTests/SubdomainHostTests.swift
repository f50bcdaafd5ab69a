import Foundation
import HTTPTypes
import HubModel
import HubProxy
@testable import HubServer
import HubSpawner
import Hummingbird
import HummingbirdTesting
import XCTest

/// `hub.subdomain_host`: each user's servers on their own origin, hub pages and cookies on the hub's only.
final class SubdomainHostTests: XCTestCase, @unchecked Sendable {
    let spawner = ScriptedSpawner()
    let password = "subdomain-test-password"

    func makeHub() async throws -> TestHub {
        try await TestHub.make(yaml: """
            hub: {public_bind: "127.0.0.1:0", api_bind: "127.0.0.1:0", data_dir: "$DIR/data",
                  public_url: "https://hub.example.org:8443/", subdomain_host: "https://hub.example.org:8443"}
            auth: {dev: {users: [alice, bob, alice_x], password_file: "$DIR/pw"}}
            spawner: {start_timeout: 5, http_timeout: 2}
            proxy: {api_bind: ""}
            """, files: ["pw": "\(password)\n"], spawner: spawner)
    }

    func testServersGetTheirOwnOriginRouteAndOAuthRedirect() async throws {
        let hub = try await makeHub()
        spawner.launch = .queue
        let found = try await hub.components.store.user(named: "alice_x")
        let alice = try XCTUnwrap(found)
        _ = try await hub.hub.spawn(user: alice, server: "", options: try ValidatedOptions(.object([:]), checkedBy: spawner))
        try await waitFor({ !self.spawner.started.isEmpty })
        let environment = try XCTUnwrap(spawner.started.first?.environment)
        let origin = "https://\(UserOrigins.label(for: "alice_x")).hub.example.org:8443"
        XCTAssertTrue(origin.hasPrefix("https://u-alicex--"))
        XCTAssertEqual(environment["JUPYTERHUB_HOST"], "https://hub.example.org:8443")
        XCTAssertEqual(environment["JUPYTERHUB_OAUTH_CALLBACK_URL"], "\(origin)/user/alice_x/oauth_callback")
        XCTAssertEqual(environment["JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED"], "1")
        XCTAssertEqual(environment["JUPYTERHUB_PUBLIC_URL"], "\(origin)/user/alice_x/")
        XCTAssertEqual(environment["JUPYTERHUB_SERVICE_PREFIX"], "/user/alice_x/")
        let client = try await hub.components.store.oauthClient(id: "jupyterhub-user-alice_x")
        XCTAssertEqual(client?.redirectURI, "\(origin)/user/alice_x/oauth_callback")
        try await hub.hub.stop(user: "alice_x", server: "")
    }

    func testARunningServerIsRoutedByHostAndLinkedAbsolutely() async throws {
        let hub = try await makeHub()
        let router = Router()
        router.get("**") { _, _ in Response(status: .ok) }
        let upstream = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await upstream.test(.live) { server in
            let url = "http://127.0.0.1:\(try XCTUnwrap(server.port))"
            self.spawner.launch = .answer(url: url)
            let found = try await hub.components.store.user(named: "alice")
            let alice = try XCTUnwrap(found)
            _ = try await hub.hub.spawn(user: alice, server: "", options: try ValidatedOptions(.object([:]), checkedBy: self.spawner))
            let core = hub.hub
            try await waitFor({ await core.lifecycle(user: "alice", server: "") == .running })
            XCTAssertEqual(hub.parts.routes.route(at: "/alice.hub.example.org/user/alice/")?.target, url)
            XCTAssertNil(hub.parts.routes.route(at: "/user/alice/"))
            let outcome = await core.progress(user: "alice", server: "")?.read(from: 0).outcome
            XCTAssertEqual(outcome, .ready(url: "https://alice.hub.example.org:8443/user/alice/"))

            let browser = Browser()
            try await hub.application().test(.router) { client in
                try await self.login(browser, client, as: "alice")
                // /user/alice/… on the hub's host is sent to alice's origin.
                let redirect = try await browser.get(client, "/hub/user/alice/lab")
                XCTAssertEqual(redirect.headers[.location], "https://alice.hub.example.org:8443/user/alice/lab?redirects=1")
                let model = try await client.execute(uri: "/hub/api/users/alice", method: .get, headers: browser.headers())
                let server = JSONValue.parse(model.text)?.objectValue?["servers"]?.objectValue?[""]?.objectValue
                XCTAssertEqual(server?["url"]?.stringValue, "https://alice.hub.example.org:8443/user/alice/")
                XCTAssertEqual(server?["full_url"]?.stringValue, "https://alice.hub.example.org:8443/user/alice/")
                let home = try await browser.get(client, "/hub/home")
                XCTAssertTrue(home.text.contains("https://alice.hub.example.org:8443/user/alice/"))
            }
            try await hub.hub.stop(user: "alice", server: "")
        }
    }

    /// What reaches the hub through the proxy on a user's host goes to the hub's own origin (pages) or is refused
    /// (forms); token API calls and the health check are answered.
    func testHubPagesLiveOnTheHubsHostOnly() async throws {
        let hub = try await makeHub()
        let onBob: HTTPFields = [.xForwardedHost: "bob.hub.example.org:8443"]
        try await hub.application().test(.router) { client in
            let page = try await client.execute(uri: "/hub/login?next=%2Fhub%2Ftoken", method: .get, headers: onBob)
            XCTAssertEqual(page.status, .found)
            XCTAssertEqual(page.headers[.location], "https://hub.example.org:8443/hub/login?next=%2Fhub%2Ftoken")
            let notRunning = try await client.execute(uri: "/user/alice/lab", method: .get, headers: onBob)
            XCTAssertEqual(notRunning.headers[.location], "https://hub.example.org:8443/user/alice/lab")
            let form = try await client.execute(uri: "/hub/login", method: .post, headers: onBob, body: ByteBuffer(string: "x=1"))
            XCTAssertEqual(form.status, .forbidden)
            XCTAssertNil(form.headers[.setCookie])
            let health = try await client.execute(uri: "/hub/health", method: .get, headers: onBob)
            XCTAssertEqual(health.status, .ok)
            let api = try await client.execute(uri: "/hub/api/", method: .get, headers: onBob)
            XCTAssertEqual(api.status, .ok)
            let onHub = try await client.execute(uri: "/hub/login", method: .get, headers: [.xForwardedHost: "hub.example.org:8443"])
            XCTAssertEqual(onHub.status, .ok)
        }
    }

    /// Over https the hub's cookies carry `__Host-` (Secure, path `/`, no Domain), so a user's subdomain cannot plant
    /// them; a cookie-authenticated request a browser marks `same-site` (a user's subdomain) is refused even with a
    /// matching XSRF token.
    func testCookiesAreHostPrefixedAndSameSiteRequestsAreRefused() async throws {
        let hub = try await makeHub()
        let browser = Browser()
        try await hub.application().test(.router) { client in
            let login = try await self.login(browser, client, as: "alice")
            let setCookies = login.headers[values: .setCookie]
            XCTAssertFalse(setCookies.isEmpty)
            for cookie in setCookies {
                XCTAssertTrue(cookie.hasPrefix("__Host-"), cookie)
                XCTAssertTrue(cookie.contains("Path=/;") || cookie.hasSuffix("Path=/"), cookie)
                XCTAssertTrue(cookie.contains("Secure"), cookie)
                XCTAssertFalse(cookie.lowercased().contains("domain="), cookie)
            }
            let xsrf = try XCTUnwrap(browser.cookies["__Host-_xsrf"])
            // A planted un-prefixed `_xsrf` is not the hub's cookie.
            var planted = browser.headers([.contentType: "application/json", .secFetchSite: "same-origin"])
            planted[.cookie] = (planted[.cookie] ?? "") + "; _xsrf=planted0123456789planted01234567"
            let withPlanted = try await client.execute(uri: "/hub/api/users/alice/tokens?_xsrf=planted0123456789planted01234567",
                                                       method: .post, headers: planted, body: ByteBuffer(string: "{}"))
            XCTAssertEqual(withPlanted.status, .forbidden)
            let sameSite = try await client.execute(
                uri: "/hub/api/users/alice/tokens?_xsrf=\(xsrf)", method: .post,
                headers: browser.headers([.contentType: "application/json", .secFetchSite: "same-site"]), body: ByteBuffer(string: "{}"))
            XCTAssertEqual(sameSite.status, .forbidden)
            let sameOrigin = try await client.execute(
                uri: "/hub/api/users/alice/tokens?_xsrf=\(xsrf)", method: .post,
                headers: browser.headers([.contentType: "application/json", .secFetchSite: "same-origin"]), body: ByteBuffer(string: "{}"))
            XCTAssertEqual(sameOrigin.status, .created)
        }
        let tokens = try await hub.components.store.tokens(ofUser: "alice")
        XCTAssertEqual(tokens.count, 1)
    }

    /// A cookie whose name only reads as the hub's once Unicode white space is dropped (which a browser lets a
    /// subdomain set, as it carries no `__Host-` prefix for the browser), or the name twice, is no login at all.
    func testLookalikeOrDuplicateCookieNamesAreNoLogin() async throws {
        let hub = try await makeHub()
        let browser = Browser()
        try await hub.application().test(.router) { client in
            try await self.login(browser, client, as: "alice")
            let alice = try XCTUnwrap(browser.cookies["__Host-jupyterhub-hub-login"])
            let headers: [String] = [
                "__Host-jupyterhub-hub-login=\(alice)",
                "\u{2000}__Host-jupyterhub-hub-login=forged; __Host-jupyterhub-hub-login=\(alice)",
                "__Host-jupyterhub-hub-login=\(alice); \u{00A0}__Host-jupyterhub-hub-login=forged",
                "__Host-jupyterhub-hub-login=\(alice); __Host-jupyterhub-hub-login=\(alice)",
                "=__Host-jupyterhub-hub-login=\(alice)",
            ]
            var statuses: [HTTPResponse.Status] = []
            for cookie in headers {
                let response = try await client.execute(uri: "/hub/api/user", method: .get, headers: [.cookie: cookie])
                statuses.append(response.status)
            }
            XCTAssertEqual(statuses, [.ok, .forbidden, .forbidden, .forbidden, .forbidden])
        }
    }

    @discardableResult
    private func login(_ browser: Browser, _ client: some TestClientProtocol, as user: String) async throws -> TestResponse {
        try await browser.get(client, "/hub/login")
        let response = try await browser.post(client, "/hub/login", form: [
            ("_xsrf", browser.cookies["__Host-_xsrf"] ?? ""), ("username", user), ("password", password),
        ])
        XCTAssertEqual(response.status, .found, "login of \(user)")
        XCTAssertNotNil(browser.cookies["__Host-jupyterhub-hub-login"])
        return response
    }
}

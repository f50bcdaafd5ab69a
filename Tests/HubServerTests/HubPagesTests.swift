import Foundation
import HTTPTypes
import HubConfig
import HubModel
@testable import HubServer
import HubStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// Home, token, admin and error pages; branding, site templates and security headers.
final class HubPagesTests: XCTestCase {
    func testHomeLinksToTheFormWhenTheSpawnerHasOne() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let browser = Browser()
            let anonymous = try await browser.get(client, "/hub/home")
            XCTAssertEqual(anonymous.status, .found)
            XCTAssertEqual(anonymous.headers[.location], "/hub/login?next=%2Fhub%2Fhome")
            try await browser.login(client, as: "alice", password: hub.password)
            let home = try await browser.get(client, "/hub/home")
            XCTAssertEqual(home.status, .ok)
            XCTAssertTrue(home.text.contains("<a class=\"button start\" href=\"/hub/spawn/alice\">Start</a>"), home.text)
            XCTAssertFalse(home.text.contains("href=\"/hub/admin\""), "no admin link for alice")
            // A bare start button (no form fields) leads to the form.
            let bare = try await browser.post(client, "/hub/spawn/alice", form: [("_xsrf", browser.xsrf), ("server_name", "gpu1")])
            XCTAssertEqual(bare.status, .seeOther)
            XCTAssertEqual(bare.headers[.location], "/hub/spawn/alice/gpu1")
        }
    }

    func testTokenPageCreatesShowsOnceAndRevokes() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            let empty = try await browser.get(client, "/hub/token")
            XCTAssertTrue(empty.text.contains("id=\"no-tokens\""))
            let created = try await browser.post(client, "/hub/token", form: [
                ("_xsrf", browser.xsrf), ("note", "my script"), ("expires_in", "3600"), ("scopes", ""),
            ])
            XCTAssertEqual(created.status, .ok)
            guard let match = created.text.firstMatch(of: /id="new-token" data-token-id="(a[0-9]+)">([0-9a-f]+)</) else {
                return XCTFail("no new token shown")
            }
            let (id, token) = (String(match.1), String(match.2))
            XCTAssertTrue(created.text.contains("my script"))
            let identity = try await client.execute(uri: "/hub/api/user", method: .get, headers: [.authorization: "token \(token)"])
            XCTAssertEqual(identity.status, .ok)
            let again = try await browser.get(client, "/hub/token")
            XCTAssertFalse(again.text.contains(token), "a token is shown only once")
            let badScope = try await browser.post(client, "/hub/token", form: [("_xsrf", browser.xsrf), ("scopes", "admin:users")])
            XCTAssertEqual(badScope.status, .forbidden)
            XCTAssertTrue(badScope.text.contains("id=\"token-error\""))
            let revoked = try await browser.post(client, "/hub/token/\(id)/revoke", form: [("_xsrf", browser.xsrf)])
            XCTAssertEqual(revoked.status, .seeOther)
            let after = try await client.execute(uri: "/hub/api/user", method: .get, headers: [.authorization: "token \(token)"])
            XCTAssertEqual(after.status, .forbidden)
        }
    }

    func testAdminPageListsSearchesPagesAddsRemovesAndStops() async throws {
        let spawner = FakeFormSpawner()
        let hub = try await PageHub.make(spawner: spawner)
        try await hub.app.test(.router) { client in
            let bob = Browser()
            try await bob.login(client, as: "bob", password: hub.password)
            let refused = try await bob.get(client, "/hub/admin")
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertTrue(refused.text.contains("id=\"error-title\">403"))
            let start = try await bob.post(client, "/hub/spawn", form: [("_xsrf", bob.xsrf), ("form", "simple"), ("partition", "debug")])
            XCTAssertEqual(start.status, .seeOther)

            let admin = Browser()
            try await admin.login(client, as: "admin", password: hub.password)
            let page = try await admin.get(client, "/hub/admin")
            XCTAssertEqual(page.status, .ok)
            for user in ["admin", "alice", "bob"] { XCTAssertTrue(page.text.contains("data-user=\"\(user)\""), user) }
            XCTAssertTrue(page.text.contains("href=\"/hub/admin\""), "admin link in the header")
            let search = try await admin.get(client, "/hub/admin?name_filter=b")
            XCTAssertTrue(search.text.contains("data-user=\"bob\""))
            XCTAssertFalse(search.text.contains("data-user=\"alice\""))
            let paged = try await admin.get(client, "/hub/admin?limit=1")
            XCTAssertTrue(paged.text.contains("href=\"/hub/admin?offset=1&amp;limit=1\""), paged.text)

            let stop = try await admin.post(client, "/hub/stop/bob", form: [("_xsrf", admin.xsrf), ("next", "/hub/admin")])
            XCTAssertEqual(stop.status, .seeOther)
            XCTAssertEqual(stop.headers[.location], "/hub/admin")
            try await waitFor { await hub.components.hub.lifecycle(user: "bob", server: "") == .stopped }

            let added = try await admin.post(client, "/hub/admin/users", form: [("_xsrf", admin.xsrf), ("usernames", "carol, dave")])
            XCTAssertEqual(added.status, .seeOther)
            let bad = try await admin.post(client, "/hub/admin/users", form: [("_xsrf", admin.xsrf), ("usernames", "a/b")])
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertTrue(bad.text.contains("id=\"admin-error\""))
            let removed = try await admin.post(client, "/hub/admin/users/dave/delete", form: [("_xsrf", admin.xsrf)])
            XCTAssertEqual(removed.status, .seeOther)
            let users = try await hub.components.store.allUsers().map(\.name).sorted()
            XCTAssertEqual(users, ["admin", "alice", "bob", "carol"])
            // bob cannot use the admin actions either.
            let forged = try await bob.post(client, "/hub/admin/users/alice/delete", form: [("_xsrf", bob.xsrf)])
            XCTAssertEqual(forged.status, .forbidden)
        }
    }

    func testErrorPagesAndHeaders() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            let missing = try await browser.get(client, "/hub/no-such-page")
            XCTAssertEqual(missing.status, .notFound)
            XCTAssertTrue(missing.text.contains("id=\"error-title\">404"))
            XCTAssertTrue(missing.text.contains("Logout alice"), "the header knows the user")
            XCTAssertEqual(missing.headers[.xFrameOptions], "DENY")
            let unavailable = try await browser.get(client, "/hub/error/503?url=/user/alice/lab")
            XCTAssertEqual(unavailable.status, .serviceUnavailable)
            XCTAssertTrue(unavailable.text.contains("id=\"error-title\">503"))
            let stopped = try await browser.get(client, "/hub/user/alice/lab")
            XCTAssertEqual(stopped.status.code, 424)
            XCTAssertTrue(stopped.text.contains("id=\"restart-form\""))
            let api = try await client.execute(uri: "/hub/api/nothing", method: .get)
            XCTAssertEqual(api.status, .notFound)
            XCTAssertNil(api.headers[.xFrameOptions])
            XCTAssertEqual(api.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'"), true)
        }
    }

    func testBrandingAndSiteTemplates() async throws {
        let templates = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try "<h1 id=\"custom\">Site error {{status_code}}</h1><p>{{message}}</p>".write(
            to: templates.appendingPathComponent("error.mustache"), atomically: true, encoding: .utf8)
        let hub = try await PageHub.make(extraYAML: """
            ui: {site_name: "Example HPC", logo_url: "https://cdn.example.org:8443/logo.png", docs_url: "https://docs.example.org/jupyter", templates_dir: "\(templates.path)"}
            """)
        try await hub.app.test(.router) { client in
            let browser = Browser()
            let login = try await browser.get(client, "/hub/login")
            XCTAssertTrue(login.text.contains("<title>Sign in — Example HPC</title>"))
            XCTAssertTrue(login.text.contains("<img src=\"https://cdn.example.org:8443/logo.png\""))
            XCTAssertTrue(login.text.contains("href=\"https://docs.example.org/jupyter\" id=\"docs-link\""))
            XCTAssertEqual(login.headers[.contentSecurityPolicy]?.contains("img-src 'self' data: https://cdn.example.org:8443;"), true)
            let missing = try await browser.get(client, "/hub/nothing-here")
            XCTAssertTrue(missing.text.contains("<h1 id=\"custom\">Site error 404</h1>"), "the site's template replaces the shipped one")
        }
    }

    func testUISectionRefusesUnsafeValues() throws {
        func load(_ ui: String) throws -> HubConfiguration {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("c.yaml").path
            try "hub: {public_bind: \"127.0.0.1:8000\"}\nui: \(ui)\n".write(toFile: path, atomically: true, encoding: .utf8)
            return try ConfigLoader.load(path: path, environment: [:])
        }
        XCTAssertEqual(try load("{site_name: HPC, logo_url: /hub/logo.png, docs_url: \"https://docs.example.org\"}").ui.siteName, "HPC")
        for ui in ["{logo_url: \"javascript:alert(1)\"}", "{docs_url: \"//evil.example\"}", "{site_name: \"\"}",
                   "{templates_dir: relative/dir}", "{logo_url: \"https://x.org/a b\"}", "{docs_url: \"https://x.org/\\\"\"}"] {
            XCTAssertThrowsError(try load(ui), ui) { XCTAssertTrue("\($0)".contains("ui."), "\($0)") }
        }
        XCTAssertNil(UISection(logoURL: "/hub/logo.png").logoOrigin)
        XCTAssertEqual(UISection(logoURL: "HTTPS://Cdn.example.org/x.png").logoOrigin, "https://Cdn.example.org")
    }
}

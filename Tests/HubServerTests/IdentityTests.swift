import Foundation
import HTTPTypes
import HubModel
@testable import HubServer
import HubStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// Who the hub thinks is asking, attacked from another site and with mixed credentials.
final class IdentityTests: XCTestCase {
    func testALoggedInFormPostWithoutItsXSRFFieldChangesNothing() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            let forged = try await browser.post(client, "/hub/token", form: [("note", "made by another site")])
            XCTAssertEqual(forged.status, .forbidden)
            XCTAssertTrue(forged.text.contains("XSRF"), "an error page naming the reason")
            let other = (browser.xsrf.first == "0" ? "1" : "0") + browser.xsrf.dropFirst()
            let wrong = try await browser.post(client, "/hub/token", form: [("_xsrf", other), ("note", "x")])
            XCTAssertEqual(wrong.status, .forbidden)
            let tokens = try await hub.components.store.tokens(ofUser: "alice")
            XCTAssertFalse(tokens.contains { $0.note.contains("another site") || $0.note == "x" })
            let admin = try await browser.post(client, "/hub/admin/users/bob/delete", form: [])
            XCTAssertEqual(admin.status, .forbidden)
            let bob = try await hub.components.store.user(named: "bob")
            XCTAssertNotNil(bob)
        }
    }

    func testAnAPICallWithTheCookieNeedsTheXSRFHeaderOnUnsafeMethods() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            let read = try await browser.get(client, "/hub/api/user")
            XCTAssertEqual(read.status, .ok, "reading needs no XSRF token")
            let body = ByteBuffer(string: #"{"note": "cookie only"}"#)
            let forged = try await client.execute(uri: "/hub/api/users/alice/tokens", method: .post, headers: browser.headers(), body: body)
            XCTAssertEqual(forged.status, .forbidden)
            XCTAssertTrue(String(buffer: forged.body).contains("\"status\":403"), "a JSON error on the API")
            let allowed = try await client.execute(uri: "/hub/api/users/alice/tokens", method: .post,
                                                   headers: browser.headers([.xXSRFToken: browser.xsrf]), body: body)
            XCTAssertEqual(allowed.status, .created)
        }
    }

    func testAnErrorPageOfALoggedInUserKeepsTheirNavigation() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            let page = try await browser.get(client, "/hub/admin")
            XCTAssertEqual(page.status, .forbidden)
            XCTAssertTrue(page.text.contains("Logout alice"), "the header shows who is logged in")
        }
    }

    func testABadTokenHeaderIsNotRescuedByTheCookie() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let browser = Browser()
            try await browser.login(client, as: "alice", password: hub.password)
            let response = try await client.execute(uri: "/hub/api/user", method: .get,
                                                    headers: browser.headers([.authorization: "token not-a-token"]))
            XCTAssertEqual(response.status, .forbidden)
        }
    }

    func testPagesDoNotTakeAPITokens() async throws {
        let hub = try await PageHub.make()
        let found = try await hub.components.store.user(named: "alice")
        let alice = try XCTUnwrap(found)
        let issued = try await hub.components.tokens.issue(
            as: Principal(owner: .user(alice), scopes: alice.roleScopes, token: nil, sessionID: nil), user: alice,
            TokenIssuer.TokenRequest())
        try await hub.app.test(.router) { client in
            let home = try await client.execute(uri: "/hub/home", method: .get, headers: [.authorization: "token \(issued.token)"])
            XCTAssertEqual(home.status, .found)
            XCTAssertTrue(home.headers[.location]?.hasPrefix("/hub/login") ?? false)
            let api = try await client.execute(uri: "/hub/api/user", method: .get, headers: [.authorization: "token \(issued.token)"])
            XCTAssertEqual(api.status, .ok)
        }
    }

    func testUnmatchedPathsAnswerInTheirSurfacesFormat() async throws {
        let hub = try await PageHub.make()
        try await hub.app.test(.router) { client in
            let api = try await client.execute(uri: "/hub/api/no-such-thing", method: .get)
            XCTAssertEqual(api.status, .notFound)
            XCTAssertEqual(api.headers[.contentType], "application/json; charset=UTF-8")
            let page = try await client.execute(uri: "/hub/no-such-page", method: .get)
            XCTAssertEqual(page.status, .notFound)
            XCTAssertTrue(String(buffer: page.body).contains("There is no page at /hub/no-such-page."))
        }
    }
}

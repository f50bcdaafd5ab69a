import AsyncHTTPClient
import HubModel
import Foundation
import NIOCore
import NIOHTTP1
import XCTest

@testable import HubProxy

final class RouteAPITests: XCTestCase {
    private struct APIFixture {
        let routes: InProcessRouteTable
        let server: RouteAPIServer
        let port: Int
        let client: HTTPClient

        func call(
            _ method: HTTPMethod, _ path: String, token: String? = "secret", scheme: String = "token",
            body: String? = nil
        ) async throws -> (HTTPResponseStatus, ByteBuffer) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            if let token { request.headers.add(name: "Authorization", value: "\(scheme) \(token)") }
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await client.execute(request, timeout: .seconds(10))
            return (response.status, try await response.body.collect(upTo: 1 << 20))
        }

        func stop() async {
            await server.shutdown()
        }
    }

    private func start() async throws -> APIFixture {
        let routes = InProcessRouteTable()
        let server = RouteAPIServer(routes: routes, host: "127.0.0.1", port: 0, authToken: "secret")
        let port = try await server.start()
        return APIFixture(routes: routes, server: server, port: port, client: HTTPClient.shared)
    }

    func testAuthAndHealth() async throws {
        let api = try await start()
        let (noToken, _) = try await api.call(.GET, "/api/routes", token: nil)
        let (badToken, _) = try await api.call(.GET, "/api/routes", token: "wrong")
        let (bearer, _) = try await api.call(.GET, "/api/routes", scheme: "Bearer")
        let (upper, _) = try await api.call(.GET, "/api/routes", scheme: "TOKEN")
        let (health, healthBody) = try await api.call(.GET, "/_chp_healthz", token: nil)
        let (unknown, _) = try await api.call(.GET, "/nope")
        await api.stop()
        XCTAssertEqual(noToken, .forbidden)
        XCTAssertEqual(badToken, .forbidden)
        XCTAssertEqual(bearer, .ok)
        XCTAssertEqual(upper, .ok)
        XCTAssertEqual(health, .ok)
        XCTAssertEqual(healthBody.json["status"] as? String, "OK")
        XCTAssertEqual(unknown, .notFound)
    }

    func testCreateReadDelete() async throws {
        let api = try await start()
        let body = #"{"target":"http://10.0.0.5:51234","user":"alice","server_name":"","jupyterhub":true}"#
        let (created, _) = try await api.call(.POST, "/api/routes/user/alice/", body: body)
        let (root, _) = try await api.call(.POST, "/api/routes", body: #"{"target":"http://127.0.0.1:8081","hub":true}"#)
        let (noTarget, _) = try await api.call(.POST, "/api/routes/user/bob", body: #"{"user":"bob"}"#)
        let (numberTarget, _) = try await api.call(.POST, "/api/routes/user/bob", body: #"{"target":5}"#)
        let (notObject, _) = try await api.call(.POST, "/api/routes/user/bob", body: #"["x"]"#)
        let (badJSON, _) = try await api.call(.POST, "/api/routes/user/bob", body: "{")
        let (tooBig, _) = try await api.call(.POST, "/api/routes/user/bob", body: String(repeating: " ", count: 70_000))
        let (listed, listBody) = try await api.call(.GET, "/api/routes")
        let (single, singleBody) = try await api.call(.GET, "/api/routes/user/alice")
        let (escaped, _) = try await api.call(.GET, "/api/routes/user/%61lice/")
        let (deleted, _) = try await api.call(.DELETE, "/api/routes/user/alice/")
        let (deletedAgain, _) = try await api.call(.DELETE, "/api/routes/user/alice")
        let (missing, _) = try await api.call(.GET, "/api/routes/user/alice")
        await api.stop()

        XCTAssertEqual(created, .created)
        XCTAssertEqual(root, .created)
        XCTAssertEqual(noTarget, .badRequest)
        XCTAssertEqual(numberTarget, .badRequest)
        XCTAssertEqual(notObject, .badRequest)
        XCTAssertEqual(badJSON, .badRequest)
        XCTAssertEqual(tooBig, .payloadTooLarge)
        XCTAssertEqual(listed, .ok)
        let all = listBody.json
        XCTAssertEqual(Set(all.keys), ["/", "/user/alice"])
        let alice = try XCTUnwrap(all["/user/alice"] as? [String: Any])
        XCTAssertEqual(alice["target"] as? String, "http://10.0.0.5:51234")
        XCTAssertEqual(alice["user"] as? String, "alice")
        XCTAssertEqual(alice["server_name"] as? String, "")
        XCTAssertEqual(alice["jupyterhub"] as? Bool, true)
        let stamp = try XCTUnwrap(alice["last_activity"] as? String)
        XCTAssertNotNil(Timestamp.parse(stamp))
        XCTAssertTrue(stamp.hasSuffix("Z"))
        XCTAssertEqual((all["/"] as? [String: Any])?["hub"] as? Bool, true)
        XCTAssertEqual(single, .ok)
        XCTAssertEqual(singleBody.json["target"] as? String, "http://10.0.0.5:51234")
        XCTAssertEqual(escaped, .ok)
        XCTAssertEqual(deleted, .noContent)
        XCTAssertEqual(deletedAgain, .notFound)
        XCTAssertEqual(missing, .notFound)
    }

    func testInactiveSince() async throws {
        let api = try await start()
        try api.routes.setRoute("/user/idle", target: "http://127.0.0.1:1")
        try api.routes.setRoute("/user/busy", target: "http://127.0.0.1:2")
        try await Task.sleep(for: .milliseconds(30))
        let cutoff = Timestamp.formatMilliseconds(Date())
        try await Task.sleep(for: .milliseconds(30))
        api.routes.lookup(path: "/user/busy/api")?.touch()
        let (status, body) = try await api.call(.GET, "/api/routes?inactive_since=\(cutoff)")
        let (future, futureBody) = try await api.call(.GET, "/api/routes?inactive_since=2999-01-01T00:00:00%2B00:00")
        let (bad, _) = try await api.call(.GET, "/api/routes?inactive_since=notadate")
        await api.stop()
        XCTAssertEqual(status, .ok)
        XCTAssertEqual(Set(body.json.keys), ["/user/idle"])
        XCTAssertEqual(future, .ok)
        XCTAssertEqual(Set(futureBody.json.keys), ["/user/idle", "/user/busy"])
        XCTAssertEqual(bad, .badRequest)
    }

    func testTokenComparison() {
        XCTAssertTrue(RouteAPIRouter.constantTimeEquals("abc", "abc"))
        XCTAssertFalse(RouteAPIRouter.constantTimeEquals("abd", "abc"))
        XCTAssertFalse(RouteAPIRouter.constantTimeEquals("ab", "abc"))
        XCTAssertFalse(RouteAPIRouter.constantTimeEquals("abcd", "abc"))
        XCTAssertFalse(RouteAPIRouter.constantTimeEquals("", ""))
    }

    func testStandaloneProxyRunsUntilCancelled() async throws {
        let proxy = StandaloneProxy(
            publicHost: "127.0.0.1", publicPort: 0, apiHost: "127.0.0.1", apiPort: 0, authToken: "t")
        let task = Task { try await proxy.run() }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        try await task.value
    }
}

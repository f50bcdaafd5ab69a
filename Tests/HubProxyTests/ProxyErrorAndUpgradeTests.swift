import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import XCTest

@testable import HubProxy

final class ProxyErrorAndUpgradeTests: XCTestCase {
    func testNoRouteIs404() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        let (status, _, _) = try await fixture.get("/user/bob/tree")
        // The connection stays usable after an error.
        let (again, _, _) = try await fixture.get("/user/alice/tree")
        await fixture.stop()
        XCTAssertEqual(status, .notFound)
        XCTAssertEqual(again, .ok)
    }

    func testDeadUpstreamIs503() async throws {
        let fixture = try await ProxyFixture.start()
        let dead = try await ProxyFixture.deadPort()
        try fixture.routes.setRoute("/user/alice", target: "http://127.0.0.1:\(dead)")
        let (status, _, body) = try await fixture.get("/user/alice/tree")
        await fixture.stop()
        XCTAssertEqual(status, .serviceUnavailable)
        XCTAssertTrue(body.text.contains("503"))
    }

    func testErrorTargetPagesKeepErrorStatus() async throws {
        let fixture = try await ProxyFixture.start(errorTarget: { "\($0.url)/hub/error" })
        let dead = try await ProxyFixture.deadPort()
        try fixture.routes.setRoute("/user/alice", target: "http://127.0.0.1:\(dead)")
        let (notFound, _, notFoundBody) = try await fixture.get("/user/bob/tree?a=1")
        let (unavailable, headers, unavailableBody) = try await fixture.get("/user/alice/lab")
        await fixture.stop()
        XCTAssertEqual(notFound, .notFound)
        XCTAssertEqual(notFoundBody.text, "error page 404 url=%2Fuser%2Fbob%2Ftree%3Fa%3D1")
        XCTAssertEqual(unavailable, .serviceUnavailable)
        XCTAssertEqual(unavailableBody.text, "error page 503 url=%2Fuser%2Falice%2Flab")
        XCTAssertEqual(headers["content-type"], ["text/html"])
    }

    func testDeadErrorTargetFallsBackToPlainText() async throws {
        let dead = try await ProxyFixture.deadPort()
        let fixture = try await ProxyFixture.start(errorTarget: { _ in "http://127.0.0.1:\(dead)/hub/error" })
        let (status, _, body) = try await fixture.get("/nowhere")
        await fixture.stop()
        XCTAssertEqual(status, .notFound)
        XCTAssertTrue(body.text.hasPrefix("404"))
    }

    func testWebSocketUpgradeGluesRawBytes() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        let before = try XCTUnwrap(fixture.routes.route(at: "/user/alice")?.lastActivity)
        let handshake = """
            GET /user/alice/api/kernels/k1/channels?token=abc&session_id=s HTTP/1.1\r
            Host: hub.example.org\r
            Connection: Upgrade\r
            Upgrade: websocket\r
            Origin: http://hub.example.org\r
            Cookie: jupyterhub-user-alice=xyz\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            Sec-Fetch-Mode: websocket\r
            \r

            """
        try await Task.sleep(for: .milliseconds(20))
        let payload = String(repeating: "frame-bytes-", count: 20_000)
        let result = try await RawClient.converse(port: fixture.port, [
            RawStep(send: handshake, until: RawClient.hasHead),
            RawStep(send: "\u{81}\u{05}hello") { $0.hasSuffix("hello") },
            RawStep(send: payload) { $0.count >= payload.count },
        ])
        let upstreamReleased = try await fixture.upstream.waitForNoConnections()
        await fixture.stop()
        XCTAssertTrue(upstreamReleased, "closing the WebSocket client must close the upstream")
        XCTAssertFalse(result.closed)
        XCTAssertTrue(result.replies[0].hasPrefix("HTTP/1.1 101"), result.replies[0])
        XCTAssertEqual(result.replies[1], "\u{81}\u{05}hello")
        XCTAssertEqual(result.replies[2], payload)
        let head = try XCTUnwrap(fixture.upstream.requests.last?.head)
        XCTAssertEqual(head.uri, "/user/alice/api/kernels/k1/channels?token=abc&session_id=s")
        XCTAssertEqual(head.headers["host"], ["hub.example.org"])
        XCTAssertEqual(head.headers["upgrade"], ["websocket"])
        XCTAssertEqual(head.headers["connection"], ["Upgrade"])
        XCTAssertEqual(head.headers["cookie"], ["jupyterhub-user-alice=xyz"])
        XCTAssertEqual(head.headers["sec-websocket-key"], ["dGhlIHNhbXBsZSBub25jZQ=="])
        XCTAssertEqual(head.headers["sec-fetch-mode"], ["websocket"])
        let after = try XCTUnwrap(fixture.routes.route(at: "/user/alice")?.lastActivity)
        XCTAssertGreaterThan(after, before)
    }

    func testUpgradeErrorsAreBare() async throws {
        let fixture = try await ProxyFixture.start(errorTarget: { "\($0.url)/hub/error" })
        let dead = try await ProxyFixture.deadPort()
        try fixture.routes.setRoute("/user/alice", target: "http://127.0.0.1:\(dead)")
        let upgrade = "Connection: Upgrade\r\nUpgrade: websocket\r\nHost: x\r\n\r\n"
        let missing = try await RawClient.converse(port: fixture.port, [
            RawStep(send: "GET /user/bob/ws HTTP/1.1\r\n" + upgrade) { _ in false },
        ])
        let down = try await RawClient.converse(port: fixture.port, [
            RawStep(send: "GET /user/alice/ws HTTP/1.1\r\n" + upgrade) { _ in false },
        ])
        await fixture.stop()
        XCTAssertTrue(missing.closed)
        XCTAssertTrue(missing.replies[0].hasPrefix("HTTP/1.1 404"), missing.replies[0])
        XCTAssertTrue(missing.replies[0].hasSuffix("\r\n\r\n"))
        XCTAssertTrue(down.replies[0].hasPrefix("HTTP/1.1 503"), down.replies[0])
        XCTAssertTrue(fixture.upstream.requests.isEmpty, "error target not used for upgrades")
    }

    func testUpstreamClosingMidResponseClosesClient() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        let result = try await RawClient.converse(port: fixture.port, [
            RawStep(send: "GET /user/alice/abort HTTP/1.1\r\nHost: x\r\n\r\n") { _ in false },
        ])
        await fixture.stop()
        XCTAssertTrue(result.closed)
        XCTAssertTrue(result.replies[0].hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertTrue(result.replies[0].hasSuffix("partial"))
    }

    func testClientClosingMidResponse() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        // Ask for a big body and close our side early: the proxy must not leak the upstream.
        let result = try await RawClient.converse(port: fixture.port, [
            RawStep(send: "GET /user/alice/big?n=5000000 HTTP/1.1\r\nHost: x\r\n\r\n") { $0.count > 1000 },
        ])
        XCTAssertFalse(result.closed)
        let upstreamReleased = try await fixture.upstream.waitForNoConnections()
        XCTAssertTrue(upstreamReleased, "client close must close the upstream connection")
        let (status, _, _) = try await fixture.get("/user/alice/ok")
        await fixture.stop()
        XCTAssertEqual(status, .ok)
    }
}

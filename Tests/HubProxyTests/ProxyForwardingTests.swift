import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import XCTest

@testable import HubProxy

final class ProxyForwardingTests: XCTestCase {
    func testForwardsFullPathQueryHostAndForwardedHeaders() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice/", target: fixture.upstream.url)
        let (status, _, body) = try await fixture.get(
            "/user/alice/api/contents?x=1&y=a%20b", headers: [("Host", "hub.example.org:8000")])
        await fixture.stop()

        XCTAssertEqual(status, .ok)
        XCTAssertEqual(body.json["uri"] as? String, "/user/alice/api/contents?x=1&y=a%20b")
        let head = try XCTUnwrap(fixture.upstream.requests.last?.head)
        XCTAssertEqual(head.headers["host"], ["hub.example.org:8000"])
        XCTAssertEqual(head.headers["x-forwarded-for"], ["127.0.0.1"])
        XCTAssertEqual(head.headers["x-forwarded-proto"], ["http"])
        XCTAssertEqual(head.headers["x-forwarded-host"], ["hub.example.org:8000"])
        XCTAssertEqual(head.headers["x-forwarded-port"], ["8000"])
    }

    /// A client's own forwarding headers are replaced by what the proxy saw.
    func testReplacesAnUntrustedClientsForwardingHeaders() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/", target: fixture.upstream.url)
        _ = try await fixture.get("/hub/", headers: [
            ("Host", "hub.example.org"), ("X-Forwarded-For", "10.0.0.1"), ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Port", "1"), ("Forwarded", "for=10.0.0.1;host=evil.example"),
        ])
        await fixture.stop()
        let head = try XCTUnwrap(fixture.upstream.requests.last?.head)
        XCTAssertEqual(head.headers["x-forwarded-for"], ["127.0.0.1"])
        XCTAssertEqual(head.headers["x-forwarded-proto"], ["http"])
        XCTAssertEqual(head.headers["x-forwarded-host"], ["hub.example.org"])
        XCTAssertEqual(head.headers["x-forwarded-port"], ["80"])
        XCTAssertEqual(head.headers["forwarded"], [])
    }

    /// A trusted proxy in front (a TLS terminator) keeps its headers; its address is appended.
    func testKeepsATrustedProxysForwardingHeaders() async throws {
        let fixture = try await ProxyFixture.start(trustedProxies: ["127.0.0.0/8"])
        try fixture.routes.setRoute("/", target: fixture.upstream.url)
        _ = try await fixture.get("/hub/", headers: [
            ("Host", "hub.example.org"), ("X-Forwarded-For", "10.0.0.1"), ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Host", "jupyter.example.org"),
        ])
        await fixture.stop()
        let head = try XCTUnwrap(fixture.upstream.requests.last?.head)
        XCTAssertEqual(head.headers["x-forwarded-for"], ["10.0.0.1, 127.0.0.1"])
        XCTAssertEqual(head.headers["x-forwarded-proto"], ["https"])
        XCTAssertEqual(head.headers["x-forwarded-host"], ["jupyter.example.org"])
    }

    /// `Connection: content-length` would make the proxy drop the framing header and forward the body, which holds
    /// a second request, as a request of its own: refused with 400, the connection closed, nothing forwarded.
    func testAConnectionHeaderNamingAFramingHeaderIsRefused() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/", target: fixture.upstream.url)
        let smuggled = "GET /user/bob/api HTTP/1.1\r\nHost: example.org\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n"
        var replies: [String] = []
        for named in ["content-length", "Transfer-Encoding", "host", "keep-alive, Content-Length"] {
            let request = "POST /user/alice/x HTTP/1.1\r\nHost: example.org\r\nConnection: \(named)\r\n"
                + "Content-Length: \(smuggled.utf8.count)\r\n\r\n" + smuggled
            let result = try await RawClient.converse(port: fixture.port, [RawStep(send: request) { _ in false }])
            XCTAssertTrue(result.closed, named)
            replies += result.replies
        }
        await fixture.stop()
        for reply in replies { XCTAssertTrue(reply.hasPrefix("HTTP/1.1 400"), reply) }
        XCTAssertEqual(fixture.upstream.requests.count, 0)
    }

    /// Pipelined requests (sent at once, one with a body, one to another upstream, one unrouted) are answered one
    /// at a time, in order, each by its own route.
    func testPipelinedRequestsAreAnsweredInOrder() async throws {
        let fixture = try await ProxyFixture.start()
        let other = try await TestUpstream.start()
        try fixture.routes.setRoute("/user/alice/", target: fixture.upstream.url)
        try fixture.routes.setRoute("/user/bob/", target: other.url)
        let requests = "GET /user/alice/1 HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /user/bob/2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /nowhere/3 HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /user/alice/4 HTTP/1.1\r\nHost: x\r\n\r\n"
        let result = try await RawClient.converse(port: fixture.port, [RawStep(send: requests) { text in
            text.components(separatedBy: "HTTP/1.1 ").count - 1 >= 4 && text.hasSuffix("}")
        }])
        await fixture.stop()
        await other.close()
        let reply = try XCTUnwrap(result.replies.first)
        let order = [#"alice\/1""#, #"bob\/2""#, "HTTP/1.1 404", #"alice\/4""#].map { reply.range(of: $0)?.lowerBound }
        XCTAssertTrue(order.allSatisfy { $0 != nil }, reply)
        XCTAssertEqual(order.compactMap { $0 }, order.compactMap { $0 }.sorted(), reply)
        XCTAssertEqual(fixture.upstream.requests.map(\.head.uri), ["/user/alice/1", "/user/alice/4"])
        XCTAssertEqual(other.requests.map(\.head.uri), ["/user/bob/2"])
        XCTAssertTrue(reply.contains("\"bodyBytes\":5"), reply)
    }

    /// A parse error after pipelined requests is answered (400, close) only after their responses, in order.
    func testAParseErrorAfterPipelinedRequestsIsAnsweredLast() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/", target: fixture.upstream.url)
        let requests = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n"
        let result = try await RawClient.converse(port: fixture.port, [RawStep(send: requests) { _ in false }])
        await fixture.stop()
        let reply = try XCTUnwrap(result.replies.first)
        XCTAssertTrue(result.closed)
        let first = reply.range(of: #""uri":"\/1""#)?.lowerBound
        let second = reply.range(of: #""uri":"\/2""#)?.lowerBound
        let refused = reply.range(of: "HTTP/1.1 400")?.lowerBound
        XCTAssertNotNil(first, reply)
        XCTAssertNotNil(second, reply)
        XCTAssertNotNil(refused, reply)
        if let first, let second, let refused {
            XCTAssertTrue(first < second && second < refused, reply)
        }
    }

    func testForwardedForParsesNetworksAndPorts() {
        XCTAssertEqual(ForwardedFor.port(ofHost: "hub.example.org:8443"), "8443")
        XCTAssertNil(ForwardedFor.port(ofHost: "hub.example.org"))
        XCTAssertNil(ForwardedFor.port(ofHost: "[::1]"))
        XCTAssertEqual(ForwardedFor.port(ofHost: "[::1]:9"), "9")
        XCTAssertNil(ForwardedFor.port(ofHost: "a:b"))
    }

    func testLongestPrefixRoutingThroughProxy() async throws {
        let fixture = try await ProxyFixture.start()
        let other = try await TestUpstream.start()
        try fixture.routes.setRoute("/", target: other.url)
        try fixture.routes.setRoute("/user/alice/", target: fixture.upstream.url)
        _ = try await fixture.get("/user/alice/tree")
        _ = try await fixture.get("/user/al/tree")
        _ = try await fixture.get("/user/alicex/tree")
        await fixture.stop()
        await other.close()
        XCTAssertEqual(fixture.upstream.requests.map(\.head.uri), ["/user/alice/tree"])
        XCTAssertEqual(other.requests.map(\.head.uri), ["/user/al/tree", "/user/alicex/tree"])
    }

    func testKeepAliveReusesUpstreamConnection() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        let steps = (0..<4).map { index in
            RawStep(send: "GET /user/alice/\(index) HTTP/1.1\r\nHost: example.org\r\n\r\n") { $0.hasSuffix("}") }
        }
        let result = try await RawClient.converse(port: fixture.port, steps)
        let upstreamReleased = try await fixture.upstream.waitForNoConnections()
        await fixture.stop()
        XCTAssertTrue(upstreamReleased)
        XCTAssertFalse(result.closed)
        XCTAssertEqual(result.replies.count, 4)
        for reply in result.replies { XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200 OK")) }
        let requests = fixture.upstream.requests
        XCTAssertEqual(requests.map(\.head.uri), ["/user/alice/0", "/user/alice/1", "/user/alice/2", "/user/alice/3"])
        XCTAssertEqual(Set(requests.map(\.connection)).count, 1, "one upstream connection for one client connection")
    }

    func testSwitchingTargetsOnOneConnection() async throws {
        let fixture = try await ProxyFixture.start()
        let other = try await TestUpstream.start()
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        try fixture.routes.setRoute("/user/bob", target: other.url)
        let steps = ["/user/alice/1", "/user/bob/1", "/user/alice/2"].map { path in
            RawStep(send: "GET \(path) HTTP/1.1\r\nHost: example.org\r\n\r\n") { $0.hasSuffix("}") }
        }
        let result = try await RawClient.converse(port: fixture.port, steps)
        await fixture.stop()
        await other.close()
        XCTAssertEqual(result.replies.count, 3)
        XCTAssertEqual(fixture.upstream.requests.map(\.head.uri), ["/user/alice/1", "/user/alice/2"])
        XCTAssertEqual(other.requests.map(\.head.uri), ["/user/bob/1"])
    }

    func testHTTP10AndConnectionClose() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        let old = try await RawClient.converse(port: fixture.port, [
            RawStep(send: "GET /user/alice/old HTTP/1.0\r\n\r\n") { _ in false },
        ])
        let closing = try await RawClient.converse(port: fixture.port, [
            RawStep(send: "GET /user/alice/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") { _ in false },
        ])
        await fixture.stop()
        XCTAssertTrue(old.closed)
        XCTAssertTrue(old.replies[0].hasPrefix("HTTP/1.0 200 OK"), old.replies[0])
        XCTAssertTrue(old.replies[0].hasSuffix("}"))
        XCTAssertTrue(closing.closed)
        XCTAssertTrue(closing.replies[0].hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertTrue(closing.replies[0].lowercased().contains("connection: close"))
    }

    func testLargeUploadAndDownloadStream() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        let size = 20 * 1024 * 1024
        let block = (0..<65_521).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + block.count)
        while bytes.count < size { bytes.append(contentsOf: block) }
        bytes.removeLast(bytes.count - size)
        let checksum = TestUpstream.checksum(bytes, seed: 0)
        let payload = ByteBuffer(bytes: bytes)
        var request = HTTPClientRequest(url: fixture.base + "/user/alice/upload")
        request.method = .PUT
        request.body = .bytes(payload)
        let response = try await fixture.client.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 1 << 20)
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(body.json["bodyBytes"] as? Int, size)
        XCTAssertEqual(body.json["checksum"] as? Int, Int(checksum))

        let (status, _, download) = try await fixture.get("/user/alice/big?n=\(size)")
        await fixture.stop()
        XCTAssertEqual(status, .ok)
        XCTAssertEqual(download.readableBytes, size)
        XCTAssertEqual(download.getInteger(at: 300, as: UInt8.self), UInt8(300 % 251))
    }

    func testLastActivityAdvancesWithTraffic() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        let before = try XCTUnwrap(fixture.routes.route(at: "/user/alice")?.lastActivity)
        try await Task.sleep(for: .milliseconds(30))
        _ = try await fixture.get("/user/alice/api/status")
        await fixture.stop()
        let after = try XCTUnwrap(fixture.routes.route(at: "/user/alice")?.lastActivity)
        XCTAssertGreaterThan(after.timeIntervalSince(before), 0.02)
    }
}

import Foundation
import NIOCore
import NIOHTTP1
import XCTest

@testable import HubProxy

/// Host routing (`hub.subdomain_host`, CHP's `--host-routing`): the route key starts with the request's host.
final class ProxyHostRoutingTests: XCTestCase {
    func testRoutesByHostThenPathAndFallsBackToTheHub() async throws {
        let fixture = try await ProxyFixture.start(hostRouting: true)
        let hub = try await TestUpstream.start()
        try fixture.routes.setRoute("/", target: hub.url)
        try fixture.routes.setRoute("/alice.hub.example.org/user/alice/", target: fixture.upstream.url)
        for host in ["alice.hub.example.org:8443", "ALICE.Hub.Example.ORG", "alice.hub.example.org"] {
            _ = try await fixture.get("/user/alice/api/kernels?x=1", headers: [("Host", host)])
        }
        // The same path on the hub's host or on another user's host is the hub's, never alice's server.
        _ = try await fixture.get("/user/alice/api/kernels", headers: [("Host", "hub.example.org:8443")])
        _ = try await fixture.get("/user/alice/api/kernels", headers: [("Host", "bob.hub.example.org:8443")])
        _ = try await fixture.get("/hub/home", headers: [("Host", "alice.hub.example.org:8443")])
        await fixture.stop()
        await hub.close()
        XCTAssertEqual(fixture.upstream.requests.map(\.head.uri), Array(repeating: "/user/alice/api/kernels?x=1", count: 3))
        XCTAssertEqual(fixture.upstream.requests.first?.head.headers["host"], ["alice.hub.example.org:8443"])
        XCTAssertEqual(hub.requests.map(\.head.uri), ["/user/alice/api/kernels", "/user/alice/api/kernels", "/hub/home"])
    }

    /// A `Host` that could add path segments or smuggle bytes into the key is a 400, and reaches nobody.
    func testHostsThatAreNotHostNamesAreRefused() async throws {
        let fixture = try await ProxyFixture.start(hostRouting: true)
        try fixture.routes.setRoute("/", target: fixture.upstream.url)
        try fixture.routes.setRoute("/alice.hub.example.org/user/alice/", target: fixture.upstream.url)
        var replies: [String] = []
        for host in ["alice.hub.example.org/user/alice", "alice.hub.example.org%2fuser", "a b", "alice.hub.example.org:x",
                     "[::1", "alice.hub.example.org\\", "alice.hub.example.org\r\nHost: bob.hub.example.org"] {
            let request = "GET /x HTTP/1.1\r\nHost: \(host)\r\n\r\n"
            let result = try await RawClient.converse(port: fixture.port, [RawStep(send: request) { _ in false }])
            replies += result.replies
        }
        await fixture.stop()
        XCTAssertEqual(replies.count, 7)
        for reply in replies { XCTAssertTrue(reply.hasPrefix("HTTP/1.1 400"), reply) }
        XCTAssertEqual(fixture.upstream.requests.count, 0)
    }

    /// Without a `Host` (HTTP/1.0) a host-prefixed path is only a path: it reaches the hub, not alice's route.
    func testNoHostReachesOnlyTheHub() async throws {
        let fixture = try await ProxyFixture.start(hostRouting: true)
        let hub = try await TestUpstream.start()
        try fixture.routes.setRoute("/", target: hub.url)
        try fixture.routes.setRoute("/alice.hub.example.org/user/alice/", target: fixture.upstream.url)
        _ = try await RawClient.converse(port: fixture.port, [
            RawStep(send: "GET /alice.hub.example.org/user/alice/api HTTP/1.0\r\n\r\n") { _ in false },
        ])
        await fixture.stop()
        await hub.close()
        XCTAssertEqual(fixture.upstream.requests.count, 0)
        XCTAssertEqual(hub.requests.map(\.head.uri), ["/alice.hub.example.org/user/alice/api"])
    }

    func testRoutingHostParsing() {
        func host(_ value: String?) -> String? {
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
            if let value { head.headers.add(name: "Host", value: value) }
            return ProxyHeaders.routingHost(head)
        }
        XCTAssertEqual(host("Alice.Hub.Example.org:8443"), "alice.hub.example.org")
        XCTAssertEqual(host("[::1]:8000"), "[::1]")
        XCTAssertEqual(host(nil), "")
        XCTAssertNil(host("alice.hub.example.org/user"))
        XCTAssertNil(host("[::1]x"))
        XCTAssertNil(host("ålice.hub.example.org"))
    }

    /// Without host routing the `Host` is not part of the key (path mode, as before).
    func testPathModeIgnoresTheHost() async throws {
        let fixture = try await ProxyFixture.start()
        try fixture.routes.setRoute("/user/alice/", target: fixture.upstream.url)
        let (status, _, _) = try await fixture.get("/user/alice/x", headers: [("Host", "anything.example.org")])
        await fixture.stop()
        XCTAssertEqual(status, .ok)
        XCTAssertEqual(fixture.upstream.requests.count, 1)
    }
}

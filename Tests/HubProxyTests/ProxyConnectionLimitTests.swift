import NIOCore
import XCTest

@testable import HubProxy

/// Connections that send nothing, trickle their headers or sit idle are closed; caps turn away the excess.
final class ProxyConnectionLimitTests: XCTestCase {
    private let short = ConnectionLimits(headerTimeout: .milliseconds(300), idleTimeout: .milliseconds(500))

    private func elapsed(_ body: () async throws -> Void) async rethrows -> Duration {
        let start = ContinuousClock.now
        try await body()
        return ContinuousClock.now - start
    }

    func testSilentAndHalfSentConnectionsAreClosedAtTheHeaderTimeout() async throws {
        let fixture = try await ProxyFixture.start(limits: short)
        try fixture.routes.setRoute("/", target: fixture.upstream.url)
        for partial in ["", "GET /user/alice/ HTTP/1.1\r\nHost: example.org\r\n", "G"] {
            var closed = false
            let took = try await elapsed {
                closed = try await RawClient.converse(port: fixture.port, [RawStep(send: partial) { _ in false }]).closed
            }
            XCTAssertTrue(closed, "'\(partial)'")
            XCTAssertGreaterThanOrEqual(took, .milliseconds(250), "'\(partial)'")
        }
        await fixture.stop()
        XCTAssertTrue(fixture.upstream.requests.isEmpty)
    }

    func testAKeptAliveConnectionIsClosedAtTheIdleTimeoutNotBefore() async throws {
        let fixture = try await ProxyFixture.start(limits: short)
        try fixture.routes.setRoute("/", target: fixture.upstream.url)
        let request = "GET /user/alice/x HTTP/1.1\r\nHost: example.org\r\n\r\n"
        // A second request 400 ms after the first: past the header timeout, within the idle timeout.
        let result = try await RawClient.converse(port: fixture.port, [
            RawStep(send: request) { $0.hasSuffix("}") },
            RawStep(send: request, pause: .milliseconds(400)) { $0.hasSuffix("}") },
            RawStep(send: "") { _ in false },
        ])
        await fixture.stop()
        XCTAssertTrue(result.closed)
        XCTAssertEqual(result.replies.prefix(2).filter { $0.hasPrefix("HTTP/1.1 200") }.count, 2, "\(result.replies)")
        XCTAssertEqual(fixture.upstream.requests.count, 2)
    }

    func testAnUpgradedConnectionOutlivesTheIdleTimeout() async throws {
        let fixture = try await ProxyFixture.start(limits: short)
        try fixture.routes.setRoute("/user/alice", target: fixture.upstream.url)
        let handshake = "GET /user/alice/api/kernels/k/channels HTTP/1.1\r\nHost: example.org\r\nConnection: Upgrade\r\n"
            + "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let result = try await RawClient.converse(port: fixture.port, [
            RawStep(send: handshake, until: RawClient.hasHead),
            RawStep(send: "\u{81}\u{02}hi", pause: .milliseconds(1200)) { $0.hasSuffix("hi") },
        ])
        await fixture.stop()
        XCTAssertTrue(result.replies[0].hasPrefix("HTTP/1.1 101"), result.replies[0])
        XCTAssertFalse(result.closed)
        XCTAssertEqual(result.replies[1], "\u{81}\u{02}hi")
    }

    func testConnectionsOverThePerClientCapAreClosedAtOnceOthersStillServed() async throws {
        var limits = short
        limits.headerTimeout = .seconds(30)
        limits.maxConnectionsPerClient = 3
        let fixture = try await ProxyFixture.start(limits: limits)
        try fixture.routes.setRoute("/", target: fixture.upstream.url)
        // Three held connections from 127.0.0.2 fill its cap.
        let holders = (0..<3).map { _ in
            Task { try await RawClient.converse(port: fixture.port, [RawStep(send: "GET / HT") { _ in false }],
                                                limit: .seconds(3), from: "127.0.0.2") }
        }
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(fixture.proxy.gate.figures.open, 3)
        let refused = try await RawClient.converse(port: fixture.port, [RawStep(send: "") { _ in false }],
                                                   limit: .seconds(5), from: "127.0.0.2")
        XCTAssertTrue(refused.closed)
        XCTAssertEqual(refused.replies, [""])
        // Another address is served.
        let served = try await RawClient.converse(port: fixture.port, [
            RawStep(send: "GET /x HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n") { _ in false },
        ], from: "127.0.0.1")
        XCTAssertTrue(served.replies[0].hasPrefix("HTTP/1.1 200"), served.replies[0])
        for holder in holders { _ = try? await holder.value }
        XCTAssertEqual(fixture.proxy.gate.figures.refused, 1)
        await fixture.stop()
    }

    func testTheTotalCapHoldsAndTrustedProxiesSkipThePerClientCap() async throws {
        var limits = short
        limits.headerTimeout = .seconds(30)
        limits.maxConnections = 4
        limits.maxConnectionsPerClient = 1
        let fixture = try await ProxyFixture.start(trustedProxies: ["127.0.0.3"], limits: limits)
        let holders = (0..<4).map { _ in
            Task { try await RawClient.converse(port: fixture.port, [RawStep(send: "") { _ in false }],
                                                limit: .seconds(2), from: "127.0.0.3") }
        }
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(fixture.proxy.gate.figures.open, 4, "a trusted proxy is not capped per client")
        let refused = try await RawClient.converse(port: fixture.port, [RawStep(send: "") { _ in false }],
                                                   limit: .seconds(5), from: "127.0.0.4")
        XCTAssertTrue(refused.closed, "the listener is full")
        for holder in holders { _ = try? await holder.value }
        await fixture.stop()
    }

    func testLimitsFitTheDescriptorBudget() {
        let limits = ConnectionLimits(maxConnections: 20_000)
        XCTAssertEqual(limits.fitted(toDescriptors: 10_000, descriptorsPerConnection: 2).maxConnections, 5_000)
        XCTAssertEqual(limits.fitted(toDescriptors: 1_000_000, descriptorsPerConnection: 2).maxConnections, 20_000)
    }
}

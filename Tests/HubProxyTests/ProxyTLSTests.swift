import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import XCTest

@testable import HubProxy

/// HTTPS on the proxy: the handshake, forwarding, and certificates replaced while it runs.
final class ProxyTLSTests: XCTestCase {
    private let logger = Logger(label: "test.tls")

    /// Connects over TLS and returns the serial number of the certificate the proxy presented (any certificate
    /// is accepted: the test looks at which one it is), or throws when the handshake fails.
    private func presentedSerial(port: Int, maximumVersion: TLSVersion? = nil) async throws -> String {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        if let maximumVersion { configuration.maximumTLSVersion = maximumVersion }
        let context = try NIOSSLContext(configuration: configuration)
        let serial = NIOLockedValueBox<String?>(nil)
        let handshake = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: nil) { certificates, promise in
                        let found = certificates.first?.serialNumber.map { String(format: "%02x", $0) }.joined()
                        serial.withLockedValue { $0 = found }
                        promise.succeed(.certificateVerified)
                    }
                    try channel.pipeline.syncOperations.addHandlers([handler, HandshakeWatcher(promise: handshake)])
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        defer { channel.close(promise: nil) }
        try await handshake.futureResult.get()
        return try XCTUnwrap(serial.withLockedValue { $0 })
    }

    func testServesHTTPSAndTellsTheUpstream() async throws {
        let ca = try TestCertificates.makeCA()
        let leaf = try ca.makeLeaf("hub")
        let store = try TLSCertificateStore(certificateFile: leaf.cert, keyFile: leaf.key, logger: logger)
        let fixture = try await ProxyFixture.start(tls: store)
        try fixture.routes.setRoute("/", target: fixture.upstream.url)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(ca.caFile)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        let response = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(fixture.port)/hub/x"), timeout: .seconds(10))
        try await client.shutdown()
        let serial = try await presentedSerial(port: fixture.port)
        await fixture.stop()
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(serial, leaf.serial)
        let head = try XCTUnwrap(fixture.upstream.requests.last?.head)
        XCTAssertEqual(head.headers["x-forwarded-proto"], ["https"])
        XCTAssertEqual(head.headers["x-forwarded-port"], ["\(fixture.port)"])
    }

    /// An https route (the hub API with `hub.api_tls`) is reached over TLS and only with a certificate the CA signed.
    func testHTTPSUpstreamsAreVerified() async throws {
        let ca = try TestCertificates.makeCA()
        let leaf = try ca.makeLeaf("api")
        let tlsSide = try await ProxyFixture.start(
            tls: try TLSCertificateStore(certificateFile: leaf.cert, keyFile: leaf.key, logger: logger))
        try tlsSide.routes.setRoute("/", target: tlsSide.upstream.url)
        let other = try TestCertificates.makeCA()
        var statuses: [HTTPResponseStatus] = []
        for trusted in [ca.caFile, other.caFile] {
            let routes = InProcessRouteTable()
            try routes.setRoute("/", target: "https://127.0.0.1:\(tlsSide.port)")
            let front = ProxyServer(routes: routes, configuration: .init(
                host: "127.0.0.1", port: 0, upstreamTLS: try UpstreamTLS(caFile: trusted, serverName: nil)))
            let port = try await front.start()
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/hub/api"),
                                                                timeout: .seconds(10))
            statuses.append(response.status)
            await front.shutdown()
        }
        await tlsSide.stop()
        XCTAssertEqual(statuses, [.ok, .serviceUnavailable])
        XCTAssertEqual(tlsSide.upstream.requests.count, 1)
    }

    func testRefusesTLSBelow12() async throws {
        let ca = try TestCertificates.makeCA()
        let leaf = try ca.makeLeaf("hub")
        let fixture = try await ProxyFixture.start(
            tls: try TLSCertificateStore(certificateFile: leaf.cert, keyFile: leaf.key, logger: logger))
        do {
            _ = try await presentedSerial(port: fixture.port, maximumVersion: .tlsv11)
            XCTFail("a TLS 1.1 handshake succeeded")
        } catch {}
        await fixture.stop()
    }

    func testAReplacedCertificateGoesToNewConnectionsABadOneIsRefused() async throws {
        let ca = try TestCertificates.makeCA()
        let first = try ca.makeLeaf("first")
        let live = (cert: ca.directory.appendingPathComponent("live.pem").path, key: ca.directory.appendingPathComponent("live.key").path)
        func install(_ source: (cert: String, key: String, serial: String)) throws {
            for (from, to) in [(source.cert, live.cert), (source.key, live.key)] {
                try? FileManager.default.removeItem(atPath: to + ".new")
                try FileManager.default.copyItem(atPath: from, toPath: to + ".new")
                _ = rename(to + ".new", to)
            }
        }
        try install(first)
        let store = try TLSCertificateStore(certificateFile: live.cert, keyFile: live.key, logger: logger)
        let fixture = try await ProxyFixture.start(tls: store)
        var serial = try await presentedSerial(port: fixture.port)
        XCTAssertEqual(serial, first.serial)

        let second = try ca.makeLeaf("second")
        try install(second)
        let unchanged = try await presentedSerial(port: fixture.port)
        XCTAssertEqual(unchanged, first.serial, "nothing changes before a reload")
        XCTAssertTrue(store.reload())
        serial = try await presentedSerial(port: fixture.port)
        XCTAssertEqual(serial, second.serial)

        // Broken: garbage, a key of another certificate, a key others can read, a missing key.
        let third = try ca.makeLeaf("third")
        try "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".write(toFile: live.cert, atomically: true, encoding: .utf8)
        XCTAssertFalse(store.reload())
        try install((second.cert, third.key, second.serial))
        XCTAssertFalse(store.reload(), "mismatched key")
        try install(second)
        chmod(live.key, 0o644)
        XCTAssertFalse(store.reload(), "world-readable key")
        try FileManager.default.removeItem(atPath: live.key)
        XCTAssertFalse(store.reload(), "missing key")
        serial = try await presentedSerial(port: fixture.port)
        await fixture.stop()
        XCTAssertEqual(serial, second.serial, "the last good certificate is still served")
        XCTAssertThrowsError(try TLSCertificateStore(certificateFile: live.cert, keyFile: live.key, logger: logger))
    }
}

/// Completes `promise` when the TLS handshake is done, fails it on an error or close before.
private final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent { promise.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}

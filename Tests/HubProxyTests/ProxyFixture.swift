import AsyncHTTPClient
import Foundation
import HubModel
import NIOCore
import NIOHTTP1
import NIOPosix

@testable import HubProxy

/// A running proxy + test upstream + HTTP client.
struct ProxyFixture {
    let routes: InProcessRouteTable
    let upstream: TestUpstream
    let proxy: ProxyServer
    let port: Int
    let client: HTTPClient

    static func start(errorTarget: ((TestUpstream) -> String)? = nil,
                      trustedProxies: [String] = [],
                      limits: ConnectionLimits = ConnectionLimits(),
                      tls: TLSCertificateStore? = nil,
                      hostRouting: Bool = false) async throws -> ProxyFixture {
        let routes = InProcessRouteTable()
        let upstream = try await TestUpstream.start()
        let proxy = ProxyServer(
            routes: routes,
            configuration: .init(host: "127.0.0.1", port: 0, errorTarget: errorTarget?(upstream),
                                 trustedProxies: trustedProxies.compactMap(IPNetwork.init), limits: limits,
                                 tls: tls, hostRouting: hostRouting))
        let port = try await proxy.start()
        let client = HTTPClient.shared
        return ProxyFixture(routes: routes, upstream: upstream, proxy: proxy, port: port, client: client)
    }

    var base: String { "http://127.0.0.1:\(port)" }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> (HTTPResponseStatus, HTTPHeaders, ByteBuffer) {
        var request = HTTPClientRequest(url: base + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (response.status, response.headers, body)
    }

    func stop() async {
        await proxy.shutdown()
        await upstream.close()
    }

    /// A port on which nothing listens.
    static func deadPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }
}

extension ByteBuffer {
    var text: String { String(buffer: self) }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(readableBytesView))) as? [String: Any] ?? [:]
    }
}

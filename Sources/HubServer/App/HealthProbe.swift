import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The container's health check (`slurmhub health`): one GET of the hub's `/hub/health` through the proxy,
/// healthy on `200`. It lives in the binary so the runtime image needs no curl or shell.
public enum HealthProbe {
    /// Whether `url` answers 200 within `timeout`; `detail` says what was seen. `verifyCertificate: false` is for
    /// the container's own loopback check of a TLS listener, whose certificate names the public host.
    public static func check(url: String, timeout: Duration, verifyCertificate: Bool = true) async -> (healthy: Bool, detail: String) {
        var configuration = HTTPClient.Configuration()
        if !verifyCertificate {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            configuration.tlsConfiguration = tls
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { client.shutdown { _ in } }
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .nanoseconds(timeout.nanoseconds))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (response.status.code == 200, "\(url): \(response.status.code) \(response.status.reasonPhrase)")
        } catch {
            return (false, "\(url): \(error)")
        }
    }
}

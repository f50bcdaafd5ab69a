import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The container's health check (`slurmhub health`): one GET of the hub's `/hub/health` through the proxy,
/// healthy on `200`. It lives in the binary so the runtime image needs no curl or shell.
public enum HealthProbe {
    /// Whether `url` answers 200 within `timeout`; `detail` says what was seen.
    public static func check(url: String, timeout: Duration) async -> (healthy: Bool, detail: String) {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .nanoseconds(timeout.nanoseconds))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (response.status.code == 200, "\(url): \(response.status.code) \(response.status.reasonPhrase)")
        } catch {
            return (false, "\(url): \(error)")
        }
    }
}

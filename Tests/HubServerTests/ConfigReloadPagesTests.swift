import Foundation
import HubConfig
@testable import HubServer
import Hummingbird
import HummingbirdTesting
import Logging
import XCTest

/// A reload applies to the next request, headers included.
final class ConfigReloadPagesTests: XCTestCase {
    func testPagePolicyFollowsAReloadedLogoOrigin() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("c.yaml").path
        @Sendable func write(logo: String) throws {
            try """
                hub: {public_bind: "127.0.0.1:0", api_bind: "127.0.0.1:0", data_dir: "\(directory.path)/data"}
                auth: {dev: {users: [alice]}}
                proxy: {api_bind: ""}
                ui: {logo_url: "\(logo)"}
                """.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(logo: "https://old.example.org/logo.png")
        let parts = try await HubApplication.assemble(config: try ConfigLoader.load(path: path, environment: [:]),
                                                      logger: Logger(label: "test"))
        let app = Application(router: HubApplication.makeRouter(parts.components))
        let reloader = ConfigReloader(path: path, components: parts.components, spawner: parts.spawnerReloading,
                                      notifier: SystemdNotifier(environment: [:]), readiness: StartupReadiness(steps: []),
                                      logger: Logger(label: "test"))
        try await app.test(.router) { client in
            let before = try await client.execute(uri: "/hub/login", method: .get)
            XCTAssertTrue(before.headers[.contentSecurityPolicy]?.contains("https://old.example.org") ?? false)

            try write(logo: "https://cdn.example.net/site/logo.svg")
            await reloader.reload(.signal)
            XCTAssertEqual(parts.components.config.ui.logoURL, "https://cdn.example.net/site/logo.svg")
            let after = try await client.execute(uri: "/hub/login", method: .get)
            let policy = after.headers[.contentSecurityPolicy] ?? ""
            XCTAssertTrue(policy.contains("img-src 'self' data: https://cdn.example.net"), policy)
            XCTAssertFalse(policy.contains("old.example.org"), policy)
            XCTAssertTrue(after.text.contains("https://cdn.example.net/site/logo.svg"))
        }
    }
}

import Foundation
import HubConfig
import HubModel
@testable import HubServer
import HubSpawner
import Hummingbird
import HummingbirdTesting
import Logging
import XCTest

/// A reload applies to the next request, headers included, and reaches the Hub and the spawner through the one
/// ``LiveSettings`` they all read.
final class ConfigReloadTests: XCTestCase {
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

    func testAReloadReachesTheHubsLimitsAndTheSlurmSpawnersPartitions() async throws {
        let hub = try await TestHub.make(files: ["key": "unused\n", "known_hosts": ""])
        @Sendable func write(limit: Int, partitions: String) throws {
            try """
                hub: {public_bind: "127.0.0.1:0", api_bind: "127.0.0.1:0", data_dir: "\(hub.directory.path)/data2", concurrent_spawn_limit: \(limit)}
                auth: {dev: {users: [alice]}}
                proxy: {api_bind: ""}
                spawner:
                  kind: slurm
                  slurm:
                    login_nodes: ["127.0.0.1:1"]
                    ssh_key_file: \(hub.directory.path)/key
                    known_hosts_file: \(hub.directory.path)/known_hosts
                    partitions: \(partitions)
                """.write(toFile: hub.configPath, atomically: true, encoding: .utf8)
        }
        try write(limit: 3, partitions: "[{name: debug}]")
        let parts = try await HubApplication.assemble(config: try ConfigLoader.load(path: hub.configPath, environment: [:]),
                                                      logger: Logger(label: "test"))
        let spawner = await parts.components.hub.spawner
        XCTAssertThrowsError(try spawner.validateOptions(.object(["partition": "gpu"])))
        XCTAssertEqual(parts.components.hub.config.hub.concurrentSpawnLimit, 3)

        try write(limit: 9, partitions: "[{name: debug}, {name: gpu, max_gpus: 2}]")
        let reloader = ConfigReloader(path: hub.configPath, components: parts.components, spawner: parts.spawnerReloading,
                                      notifier: SystemdNotifier(environment: [:]), readiness: StartupReadiness(steps: []),
                                      logger: Logger(label: "test"))
        await reloader.reload(.signal)
        XCTAssertEqual(parts.components.hub.config.hub.concurrentSpawnLimit, 9, "the Hub reads the live configuration")
        XCTAssertNoThrow(try spawner.validateOptions(.object(["partition": "gpu"])), "the spawner reads the live settings")
        XCTAssertEqual(parts.components.hub.config.spawner.slurm.partitions.map(\.name), ["debug", "gpu"])
    }
}

import Foundation
import HubConfig
import XCTest

final class ConfigLoaderTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func write(_ yaml: String) throws -> String {
        let path = directory.appendingPathComponent("config.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    let loopback = "hub:\n  public_bind: 127.0.0.1:8000\n"

    func testEmbeddedDefaultsNeedLoopbackForDevLogin() throws {
        XCTAssertThrowsError(try ConfigLoader.load(path: nil, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("auth.dev.allow_remote"), "\(error)")
        }
        let config = try ConfigLoader.load(path: try write(loopback), environment: [:])
        XCTAssertEqual(config.hub.apiBind.description, "0.0.0.0:8081")
        XCTAssertEqual(config.spawner.local.cmd, ["jupyterhub-singleuser"])
        XCTAssertEqual(config.spawner.local.ports, 50000...59999)
        XCTAssertEqual(config.hub.usernamePattern, "^[a-z_][a-z0-9_-]{0,31}$")
    }

    func testEnvironmentOverridesFileWithYAMLValues() throws {
        let config = try ConfigLoader.load(path: try write(loopback), environment: [
            "SLURMHUB_HUB_API_BIND": "127.0.0.1:9999",
            "SLURMHUB_SPAWNER_LOCAL_CMD": "[jupyterhub-singleuser, --allow-root]",
            "SLURMHUB_SPAWNER_POLL_INTERVAL": "7",
        ])
        XCTAssertEqual(config.hub.apiBind.description, "127.0.0.1:9999")
        XCTAssertEqual(config.spawner.local.cmd, ["jupyterhub-singleuser", "--allow-root"])
        XCTAssertEqual(config.spawner.pollInterval, 7)
    }

    func testUnknownKeysAndBadValuesAreErrorsNamingTheKey() throws {
        XCTAssertThrowsError(try ConfigLoader.load(path: try write(loopback + "  pubic_url: x\n"), environment: [:])) {
            XCTAssertTrue("\($0)".contains("hub.pubic_url"), "\($0)")
        }
        XCTAssertThrowsError(try ConfigLoader.load(path: try write(loopback + "spawner:\n  local:\n    port_range: 9-1\n"), environment: [:])) {
            XCTAssertTrue("\($0)".contains("port_range"), "\($0)")
        }
        XCTAssertThrowsError(try ConfigLoader.load(path: try write(loopback + "  admin_users: [\"Bad Name\"]\n"), environment: [:]))
        XCTAssertThrowsError(try ConfigLoader.load(path: try write(loopback + "  slow_spawn_timeout: fast\n"), environment: [:])) {
            XCTAssertTrue("\($0)".contains("slow_spawn_timeout"), "\($0)")
        }
    }

    func testServicesAndSecrets() throws {
        let tokenFile = directory.appendingPathComponent("token").path
        try "short\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SecretFile.read(tokenFile, what: "token"))
        try "0123456789abcdef\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        XCTAssertEqual(try SecretFile.read(tokenFile, what: "token"), "0123456789abcdef")
        let yaml = loopback + "services:\n  - name: culler\n    api_token_file: \(tokenFile)\n    scopes: [list:users, bogus]\n"
        XCTAssertThrowsError(try ConfigLoader.load(path: try write(yaml), environment: [:])) {
            XCTAssertTrue("\($0)".contains("bogus"), "\($0)")
        }
        let created = directory.appendingPathComponent("generated").path
        let secret = try SecretFile.readOrCreate("", fallback: created, what: "secret")
        XCTAssertEqual(try SecretFile.readOrCreate("", fallback: created, what: "secret"), secret)
        let mode = try FileManager.default.attributesOfItem(atPath: created)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
    }

    func testEffectiveYAMLListsEveryKey() throws {
        let yaml = try ConfigLoader.effectiveYAML(path: try write(loopback), environment: [:])
        for key in ["public_bind", "api_url_for_servers", "password_file", "port_range", "auth_token_file", "start_timeout"] {
            XCTAssertTrue(yaml.contains(key), key)
        }
    }
}

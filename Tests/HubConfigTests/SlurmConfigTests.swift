import Foundation
import HubConfig
import XCTest

/// `spawner.slurm.*`: a working site config loads; each kind of mistake is refused naming its key.
final class SlurmConfigTests: XCTestCase {
    let base = """
    hub:
      public_bind: 127.0.0.1:8000
    spawner:
      kind: slurm
      environment: {PROJECT_SCRATCH: /scratch}
      slurm:
        login_nodes: [login1.example.org, "login2.example.org:2222"]
        environment_allow: [PROJECT_SCRATCH]
        partitions:
          - {name: debug, simple: true, max_runtime: "12:00:00", max_cpus: 4, max_memory: 8G}
          - {name: gpu, max_runtime: "1-00:00:00", max_cpus: 16, max_memory: 64G, max_gpus: 2, gres: "gpu:a100:{}"}
        environments:
          - {id: py311, modules: [Python/3.11, JupyterLab/4]}
    """

    func load(_ yaml: String) throws -> HubConfiguration {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ConfigLoader.load(path: path, environment: [:])
    }

    func assertRefused(_ replacing: String, with replacement: String, mentioning key: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(base.contains(replacing), "fixture lacks \(replacing)", file: file, line: line)
        XCTAssertThrowsError(try load(base.replacingOccurrences(of: replacing, with: replacement)), file: file, line: line) {
            XCTAssertTrue("\($0)".contains(key), "\($0)", file: file, line: line)
        }
    }

    func testSiteConfigLoadsWithDefaults() throws {
        let slurm = try load(base).spawner.slurm
        XCTAssertEqual(slurm.loginNodes.compactMap(LoginNodeAddress.init).map(\.port), [22, 2222])
        XCTAssertEqual(slurm.partitions.map(\.maxGPUs), [0, 2])
        XCTAssertEqual(slurm.partitions.first?.gres, "gpu:{}")
        XCTAssertEqual(slurm.sudo, ["/usr/bin/sudo", "-n", "-u"])
        XCTAssertEqual(slurm.tokenDelivery, .environment)
        XCTAssertEqual(slurm.ports, 50000...59999)
    }

    func testMistakesAreRefusedNamingTheKey() {
        assertRefused("login_nodes: [login1.example.org, \"login2.example.org:2222\"]", with: "login_nodes: []",
                      mentioning: "login_nodes")
        assertRefused("environment_allow: [PROJECT_SCRATCH]", with: "environment_allow: []",
                      mentioning: "spawner.environment.PROJECT_SCRATCH")
        assertRefused("max_memory: 8G", with: "max_memory: 8GB", mentioning: "max_memory")
        assertRefused("max_runtime: \"12:00:00\"", with: "max_runtime: \"12:75\"", mentioning: "max_runtime")
        assertRefused("{name: debug,", with: "{name: \"de bug\",", mentioning: "partitions")
        assertRefused("max_gpus: 2,", with: "max_gpus: 2, gpus_per_node: 4,", mentioning: "partitions[].gpus_per_node")
        assertRefused("modules: [Python/3.11, JupyterLab/4]", with: "modules: [\"Python/3.11; rm -rf /\"]",
                      mentioning: "module")
        assertRefused("environments:", with: "token_delivery: carrier-pigeon\n    environments:", mentioning: "token_delivery")
        assertRefused("environments:", with: "output: \"{home}/%N.log\"\n    environments:", mentioning: "output")
        assertRefused("environments:", with: "sudo: [sudo, -u]\n    environments:", mentioning: "sudo")
        assertRefused("environments:", with: "job_name: \"x;y\"\n    environments:", mentioning: "job_name")
        assertRefused("environments:", with: "home: /home/fixed\n    environments:", mentioning: "home")
    }
}

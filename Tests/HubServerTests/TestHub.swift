import Foundation
import HubConfig
@testable import HubServer
import HubSpawner
import Hummingbird
import Logging

/// A hub assembled in-process from a YAML configuration in a fresh directory: the real store, the in-process
/// route table, the given spawner. The API, page and orchestration tests all start from this.
struct TestHub {
    let directory: URL
    let configPath: String
    let parts: HubApplication.Parts

    var components: HubComponents { parts.components }
    var hub: Hub { parts.components.hub }

    /// - Parameters:
    ///   - yaml: the configuration; `$DIR` stands for the fresh directory. Without `hub:` a loopback hub with
    ///     its data in `$DIR/data` is prepended.
    ///   - files: files to write into the directory first (name → contents), e.g. a password file.
    static func make(yaml: String = "auth: {dev: {users: [alice, bob]}}\nproxy: {api_bind: \"\"}",
                     files: [String: String] = [:], spawner: (any Spawner)? = nil) async throws -> TestHub {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, contents) in files {
            try contents.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        var text = yaml.replacingOccurrences(of: "$DIR", with: directory.path)
        if !text.split(separator: "\n").contains(where: { $0.hasPrefix("hub:") }) {
            text = "hub: {public_bind: \"127.0.0.1:0\", api_bind: \"127.0.0.1:0\", data_dir: \"\(directory.path)/data\"}\n" + text
        }
        let path = directory.appendingPathComponent("c.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: path, environment: [:])
        let parts = try await HubApplication.assemble(config: config, logger: Logger(label: "test"), spawner: spawner)
        return TestHub(directory: directory, configPath: path, parts: parts)
    }

    /// The hub's routes on an in-memory application (no sockets).
    func application() -> Application<RouterResponder<HubRequestContext>> {
        Application(router: HubApplication.makeRouter(components))
    }
}

import Foundation
import Glibc
import HubModel
import Logging
import XCTest
@testable import HubSpawner

/// Shared helpers for the local spawner tests: temporary directories, requests and small waits.
enum TestSupport {
    static let logger = Logger(label: "HubSpawnerTests")

    static func request(user: String = "alice", server: String = "",
                        environment: [String: String] = [:]) -> SpawnRequest {
        let prefix = server.isEmpty ? "/user/\(user)/" : "/user/\(user)/\(server)/"
        var env = [
            "JUPYTERHUB_API_TOKEN": "token-123",
            "JUPYTERHUB_USER": user,
            "JUPYTERHUB_SERVER_NAME": server,
            "JUPYTERHUB_SERVICE_PREFIX": prefix,
        ]
        env.merge(environment) { _, new in new }
        return SpawnRequest(userName: user, serverName: server, servicePrefix: prefix,
                            environment: env, userOptions: .object([:]))
    }

    static func spawner(_ script: String, directory: String, portRange: ClosedRange<Int> = 20_000...29_999,
                        environment: [String: String] = [:],
                        passEnvironment: [String] = LocalSpawner.defaultPassEnvironment,
                        grace: Duration = .seconds(5)) -> LocalSpawner {
        LocalSpawner(command: ["/bin/sh", "-c", script], portRange: portRange,
                     logDirectory: directory + "/logs", environment: environment,
                     passEnvironment: passEnvironment, stopGracePeriod: grace, logger: logger)
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    static func waitFor(seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    static func readFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses `env` output into a dictionary.
    static func parseEnv(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            result[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return result
    }

    /// The permission bits of a file.
    static func mode(_ path: String) -> Int? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.posixPermissions] as? NSNumber)?.intValue
    }

    /// Whether a TCP connection to 127.0.0.1:port succeeds.
    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

}

extension XCTestCase {
    /// A fresh temporary directory, removed when the test ends.
    func makeTemporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "slurmhub-spawner-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}

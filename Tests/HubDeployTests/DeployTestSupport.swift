import Foundation
import HubConfig

/// A validated configuration: a minimal slurm section plus `slurm` (YAML lines under `spawner.slurm`).
func slurmConfiguration(_ slurm: String = "", kind: String = "slurm") throws -> HubConfiguration {
    let yaml = """
        hub:
          public_bind: 127.0.0.1:8000
        spawner:
          kind: \(kind)
          slurm:
            login_nodes: [login1.example.org, "login2.example.org:2222"]
            partitions: [{name: debug}]
        \(slurm.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("slurmhub-\(UUID().uuidString).yaml")
    try Data(yaml.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    return try ConfigLoader.load(path: url.path, environment: [:])
}

import Foundation
import HubModel
@testable import SlurmSpawner
import XCTest

final class JobScriptTests: XCTestCase {
    let partition = SlurmSite.Partition(name: "gpu", maxRuntime: 86400, maxCPUs: 8, maxMemoryMiB: 8192, maxGPUs: 2,
                                        gresTemplate: "gpu:a100:{}")

    func render(command: [String], keep: [String] = ["HOME", "JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER"],
                home: String = "/home/alice", tokenFile: String? = nil) throws -> String {
        let site = SlurmSite(partitions: [partition], environments: [.init(id: "env", modules: ["Python/3.11"], path: "/opt/v env/bin")])
        let options = try SlurmOptions.validate(["partition": "gpu", "cpus": 2, "memory": "2G", "gpus": 1,
                                                 "runtime": "02:00", "environment": "env", "qos": "normal"], site: site)
        return try JobScript.shipped().render(options, partition: partition, context: .init(
            username: "alice", home: home, tag: "slurmhub-abc123", jobName: "slurmhub", keepNames: keep,
            ports: 50000...50100, servicePrefix: "/user/alice/", command: command, output: "\(home)/.slurmhub-%j.log",
            tokenFile: tokenFile))
    }

    func testSbatchLinesFromValidatedOptions() throws {
        let script = try render(command: ["jupyterhub-singleuser"])
        for line in ["#SBATCH --partition=gpu", "#SBATCH --time=02:00:00", "#SBATCH --cpus-per-task=2",
                     "#SBATCH --mem=2048M", "#SBATCH --gres=gpu:a100:1", "#SBATCH --qos=normal",
                     "#SBATCH --comment=slurmhub-abc123", "#SBATCH --output=/home/alice/.slurmhub-%j.log", "module load Python/3.11"] {
            XCTAssertTrue(script.contains(line + "\n"), line)
        }
        XCTAssertFalse(script.contains("--account"))
        let commands = script.split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertFalse(commands.contains { $0.contains("srun ") }, "the server must run without srun")
        XCTAssertFalse(script.contains("&#"), "no HTML escaping in a shell script")
    }

    func testBatchspawnerSingleuserReportsItsOwnPort() throws {
        let script = try render(command: ["batchspawner-singleuser", "jupyterhub-singleuser"])
        XCTAssertFalse(script.contains("SLURMHUB_REPORT"), "no second port report")
        XCTAssertTrue(script.contains("export JUPYTERHUB_SERVICE_URL=\"http://0.0.0.0:0/user/alice/\""), script)
        XCTAssertTrue(try render(command: ["jupyterhub-singleuser"]).contains("SLURMHUB_REPORT"))
    }

    func testUnsafeContextIsRefused() {
        XCTAssertThrowsError(try render(command: ["x"], home: "/home/a;b"))
        XCTAssertThrowsError(try render(command: ["x"], keep: ["BAD NAME"]))
        XCTAssertThrowsError(try render(command: ["x"], tokenFile: "/tmp/$(id)"))
    }

    /// Runs the rendered script with bash: only allow-listed variables survive the reset, odd
    /// arguments arrive intact, the port is reported to the hub and lands in JUPYTERHUB_SERVICE_URL.
    func testScriptResetsEnvironmentReportsPortAndRunsCommand() throws {
        let (result, report) = try runJob(tokenFile: nil, environmentToken: "tok123")
        XCTAssertTrue(result.contains("JUPYTERHUB_USER=alice"))
        XCTAssertTrue(result.contains("SLURM_JOB_ID=42"))
        XCTAssertFalse(result.contains("NOT_ALLOWED"))
        XCTAssertTrue(result.contains("a b|$HOME|`id`|it's|back\\slash|"), result)
        XCTAssertTrue(report.hasPrefix("/hub/api/batchspawner token tok123 {\"port\": "), report)
        let reported = report.split(separator: " ").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "}\n")) } ?? ""
        XCTAssertTrue(result.contains("JUPYTERHUB_SERVICE_URL=http://0.0.0.0:\(reported)/user/alice/"), result)
        XCTAssertTrue(result.contains("PATH=/opt/v env/bin:"), "environment path prepended")
    }

    /// Token-file delivery: the token is read from the file (then removed), never from the job's environment.
    func testTokenFileIsReadAndRemoved() throws {
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
        try "filetok456\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let (result, report) = try runJob(tokenFile: tokenFile, environmentToken: nil)
        XCTAssertTrue(result.contains("JUPYTERHUB_API_TOKEN=filetok456\n"), result)
        XCTAssertTrue(result.contains("JPY_API_TOKEN=filetok456\n"), result)
        XCTAssertTrue(report.hasPrefix("/hub/api/batchspawner token filetok456 "), report)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tokenFile), "the job removes the token file")
    }

    func runJob(tokenFile: String?, environmentToken: String?) throws -> (output: String, report: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let hubLog = directory.appendingPathComponent("hub.log").path
        let portFile = directory.appendingPathComponent("hub.port").path
        let hub = Process()
        hub.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        hub.arguments = ["python3", "-c", """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers['Content-Length']))
                    open(sys.argv[1], 'a').write(self.path + ' ' + self.headers['Authorization'] + ' ' + body.decode() + '\\n')
                    self.send_response(200); self.end_headers()
                def log_message(self, *args): pass
            server = http.server.HTTPServer(('127.0.0.1', 0), H)
            open(sys.argv[2], 'w').write(str(server.server_port))
            server.serve_forever()
            """, hubLog, portFile]
        try hub.run()
        defer { hub.terminate() }
        var port = ""
        for _ in 0..<50 where port.isEmpty {
            Thread.sleep(forTimeInterval: 0.1)
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
        }
        let output = directory.appendingPathComponent("out").path
        let script = try render(command: ["/bin/sh", "-c", "env > \(output); printf '%s|' \"$@\" >> \(output)", "sh",
                                          "a b", "$HOME", "`id`", "it's", "back\\slash"], tokenFile: tokenFile)
            .replacingOccurrences(of: "module load", with: "echo module")  // no environment modules here
        let scriptPath = directory.appendingPathComponent("job.sh").path
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let job = Process()
        job.executableURL = URL(fileURLWithPath: "/bin/bash")
        job.arguments = [scriptPath]
        job.environment = ["HOME": "/home/alice", "PATH": "/usr/bin:/bin", "JUPYTERHUB_API_URL": "http://127.0.0.1:\(port)/hub/api",
                           "JUPYTERHUB_USER": "alice", "NOT_ALLOWED": "leak", "SLURM_JOB_ID": "42"]
            .merging(environmentToken.map { ["JUPYTERHUB_API_TOKEN": $0] } ?? [:]) { a, _ in a }
        try job.run()
        job.waitUntilExit()
        XCTAssertEqual(job.terminationStatus, 0)
        return (try String(contentsOfFile: output, encoding: .utf8), try String(contentsOfFile: hubLog, encoding: .utf8))
    }
}

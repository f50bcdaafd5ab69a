import Foundation
import HubModel
import HubSpawner
import Logging
@testable import SlurmSpawner
import SSHTransport
import XCTest

/// A login node in a box: records commands and answers from a scripted queue state.
actor FakeLoginNode: Transport {
    var commands: [[String]] = []
    var environments: [[String: String]] = []
    var scripts: [String] = []
    /// squeue answers, consumed in order; the last one repeats.
    var squeueAnswers: [CommandResult]
    var sbatchAnswer = CommandResult(exitStatus: 0, stdout: "4242\n", stderr: "")

    init(squeue: [String]) {
        squeueAnswers = squeue.map { CommandResult(exitStatus: 0, stdout: $0, stderr: "") }
    }

    func setSqueue(_ answers: [CommandResult]) { squeueAnswers = answers }

    nonisolated func run(_ command: [String], stdin: String?, environment: [String: String], timeout: Duration)
        async throws -> CommandResult {
        await record(command, stdin: stdin, environment: environment)
    }

    private func record(_ command: [String], stdin: String?, environment: [String: String]) -> CommandResult {
        commands.append(command)
        environments.append(environment)
        if let stdin { scripts.append(stdin) }
        if command.contains("/usr/bin/sbatch") { return sbatchAnswer }
        if command.first == "/usr/bin/squeue" {
            return squeueAnswers.count > 1 ? squeueAnswers.removeFirst() : squeueAnswers.first ?? CommandResult(exitStatus: 0, stdout: "", stderr: "")
        }
        return CommandResult(exitStatus: 0, stdout: "", stderr: "")
    }

    var squeueCount: Int { commands.filter { $0.first == "/usr/bin/squeue" }.count }
}

final class SlurmJobSpawnerTests: XCTestCase {
    let site = SlurmSite(partitions: [.init(name: "debug", maxRuntime: 3600, maxCPUs: 2, maxMemoryMiB: 1024)],
                         environments: [.init(id: "default")])

    func spawner(_ node: FakeLoginNode) throws -> SlurmJobSpawner {
        SlurmJobSpawner(configuration: .init(site: site, keepNames: ["JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER"],
                                             ports: 50000...50010, startupPollInterval: .milliseconds(10)),
                        transport: node, script: try JobScript.shipped(), logger: Logger(label: "test"))
    }

    func request(options: JSONValue = .object(["partition": "debug"])) -> SpawnRequest {
        SpawnRequest(userName: "alice", serverName: "", servicePrefix: "/user/alice/",
                     environment: ["JUPYTERHUB_API_TOKEN": "t", "JUPYTERHUB_USER": "alice", "OTHER": "x"],
                     userOptions: options)
    }

    func testSubmitsAsUserReportsQueueAndUsesReportedPort() async throws {
        let node = FakeLoginNode(squeue: ["4242|PENDING|Resources|n/a|t\n", "4242|RUNNING|None|node7|t\n"])
        let spawn = request()
        _ = await spawn.portReport.report(50003)
        let events = EventLog()
        let result = try await spawner(node).start(spawn, progress: { events.append($0.message) })
        XCTAssertEqual(result.url, "http://node7:50003")
        XCTAssertEqual(result.state.objectValue?["job_id"], "4242")
        let commands = await node.commands
        XCTAssertEqual(commands.first, ["/usr/bin/sudo", "-n", "-u", "alice", "/usr/bin/sbatch", "--parsable"])
        let environment = await node.environments.first
        XCTAssertEqual(environment, ["JUPYTERHUB_API_TOKEN": "t", "JUPYTERHUB_USER": "alice"], "only allow-listed names are sent")
        XCTAssertTrue(events.messages.contains("Pending in queue (reason: Resources)"), "\(events.messages)")
        XCTAssertTrue(events.messages.contains { $0.contains("running on node7") })
    }

    func testInvalidOptionsSubmitNothing() async throws {
        let node = FakeLoginNode(squeue: [""])
        do {
            _ = try await spawner(node).start(request(options: .object(["partition": "debug", "cpus": "9"])), progress: { _ in })
            XCTFail("accepted too many cpus")
        } catch let error as SpawnError {
            XCTAssertTrue(error.message.contains("cpus"), error.message)
        }
        let commands = await node.commands
        XCTAssertTrue(commands.isEmpty)
    }

    func testJobThatEndsBeforeRunningFailsAtOnce() async throws {
        let node = FakeLoginNode(squeue: ["4242|PENDING|None|n/a|t\n", ""])
        do {
            _ = try await spawner(node).start(request(), progress: { _ in })
            XCTFail("spawn should fail")
        } catch let error as SpawnError {
            XCTAssertTrue(error.message.contains("ended before it started"), error.message)
        }
    }

    func testPollAllIsOneSqueueAndUnknownNeverGone() async throws {
        let node = FakeLoginNode(squeue: ["1|RUNNING|None|n1|a\n2|PENDING|Priority|n/a|b\n"])
        let spawner = try spawner(node)
        let states: [String: JSONValue] = [
            "a": .object(["job_id": "1", "user": "alice"]), "b": .object(["job_id": "2", "user": "bob"]),
            "c": .object(["job_id": "3", "user": "carol"]),
        ]
        let results = await spawner.pollAll(states: states)
        XCTAssertEqual(results, ["a": .running, "b": .running, "c": .gone(exitStatus: nil)])
        let count = await node.squeueCount
        XCTAssertEqual(count, 1)
        await node.setSqueue([CommandResult(exitStatus: 1, stdout: "", stderr: "slurm_load_jobs error: Socket timed out on send/recv operation")])
        let unknown = await spawner.pollAll(states: states)
        XCTAssertTrue(unknown.values.allSatisfy { if case .unknown = $0 { return true } else { return false } }, "\(unknown)")
    }

    func testParsableJobID() {
        XCTAssertEqual(SlurmJobSpawner.jobID(fromParsable: "123\n"), "123")
        XCTAssertEqual(SlurmJobSpawner.jobID(fromParsable: "warning\n123;cluster\n"), "123")
        XCTAssertNil(SlurmJobSpawner.jobID(fromParsable: "sbatch: error"))
    }
}

/// Collects progress messages from a synchronous callback.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ message: String) { lock.withLock { stored.append(message) } }
    var messages: [String] { lock.withLock { stored } }
}

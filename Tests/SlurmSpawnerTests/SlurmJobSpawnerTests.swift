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
    /// Answer to `squeue --name=…` (all our jobs, any user).
    var jobsAnswer = ""
    var stdins: [[String]: String] = [:]

    init(squeue: [String]) {
        squeueAnswers = squeue.map { CommandResult(exitStatus: 0, stdout: $0, stderr: "") }
    }

    func setSqueue(_ answers: [CommandResult]) { squeueAnswers = answers }
    func setJobs(_ answer: String) { jobsAnswer = answer }

    nonisolated func run(_ command: [String], stdin: String?, environment: [String: String], timeout: Duration)
        async throws -> CommandResult {
        await record(command, stdin: stdin, environment: environment)
    }

    private func record(_ command: [String], stdin: String?, environment: [String: String]) -> CommandResult {
        commands.append(command)
        environments.append(environment)
        if let stdin { scripts.append(stdin); stdins[command] = stdin }
        if command.contains("/usr/bin/sbatch") { return sbatchAnswer }
        if command.contains("/usr/bin/tail") { return CommandResult(exitStatus: 0, stdout: "module: command not found\n", stderr: "") }
        if command.first == "/usr/bin/sinfo" { return CommandResult(exitStatus: 0, stdout: "debug|up|1|8/0/0/8\nlong|up|1|8/0/0/8\n", stderr: "") }
        if command.contains("--start") { return CommandResult(exitStatus: 0, stdout: "4242|2026-11-22T10:00:00\n", stderr: "") }
        if command.contains(where: { $0.hasPrefix("--name=") }) { return CommandResult(exitStatus: 0, stdout: jobsAnswer, stderr: "") }
        if command.first == "/usr/bin/squeue" {
            return squeueAnswers.count > 1 ? squeueAnswers.removeFirst() : squeueAnswers.first ?? CommandResult(exitStatus: 0, stdout: "", stderr: "")
        }
        return CommandResult(exitStatus: 0, stdout: "", stderr: "")
    }

    /// Status queries only (`--jobs=`).
    var squeueCount: Int { commands.filter { $0.first == "/usr/bin/squeue" && $0.contains { $0.hasPrefix("--jobs=") } && !$0.contains("--start") }.count }
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
        XCTAssertTrue(events.messages.contains("Job 4242 pending in queue (reason: Resources); estimated start 2026-11-22T10:00:00; "
                                                + "partition debug is up, 0 of 8 CPUs idle"),
                      "\(events.messages)")
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
            XCTAssertTrue(error.message.contains("/home/alice/.slurmhub-4242.log:\nmodule: command not found"), error.message)
        }
    }

    func testTagIsCheckpointedBeforeSbatchAndJobIDAfter() async throws {
        let node = FakeLoginNode(squeue: ["4242|RUNNING|None|node7|t\n"])
        let checkpoints = StateLog()
        let spawn = SpawnRequest(userName: "alice", serverName: "", servicePrefix: "/user/alice/",
                                 environment: ["JUPYTERHUB_API_TOKEN": "t"], userOptions: .object(["partition": "debug"]),
                                 checkpoint: { state in
                                     let submitted = await node.commands.contains { $0.contains("/usr/bin/sbatch") }
                                     checkpoints.append(state, submitted: submitted)
                                 })
        _ = await spawn.portReport.report(50001)
        _ = try await spawner(node).start(spawn, progress: { _ in })
        let states = checkpoints.entries
        XCTAssertEqual(states.count, 2)
        XCTAssertFalse(states[0].submitted, "the tag is stored before sbatch runs")
        XCTAssertNotNil(states[0].state.objectValue?["tag"]?.stringValue)
        XCTAssertNil(states[0].state.objectValue?["job_id"])
        XCTAssertEqual(states[1].state.objectValue?["job_id"], "4242")
        let script = await node.scripts.first ?? ""
        XCTAssertTrue(script.contains("#SBATCH --comment=\(states[0].state.objectValue?["tag"]?.stringValue ?? "?")\n"))
    }

    func testTokenFileModeSendsTokenOnlyOnStdin() async throws {
        let node = FakeLoginNode(squeue: ["4242|RUNNING|None|node7|t\n"])
        var configuration = SlurmJobSpawner.Configuration(
            site: site, tokenDirectoryTemplate: "{home}/.slurmhub/tokens",
            keepNames: ["JUPYTERHUB_USER"], ports: 50000...50010, startupPollInterval: .milliseconds(10))
        configuration.commands.cluster = "c1"
        let spawner = SlurmJobSpawner(configuration: configuration, transport: node, script: try JobScript.shipped(),
                                      logger: Logger(label: "test"))
        let spawn = request()
        _ = await spawn.portReport.report(50001)
        _ = try await spawner.start(spawn, progress: { _ in })
        let commands = await node.commands
        XCTAssertEqual(commands[0], ["/usr/bin/sudo", "-n", "-u", "alice", "/usr/bin/install", "-d", "-m", "0700",
                                     "/home/alice/.slurmhub/tokens"])
        let install = commands[1]
        let path = install.last ?? ""
        XCTAssertEqual(install, ["/usr/bin/sudo", "-n", "-u", "alice", "/usr/bin/install", "-m", "0600", "/dev/null", path])
        XCTAssertTrue(path.hasPrefix("/home/alice/.slurmhub/tokens/slurmhub-"))
        let fill = ["/usr/bin/sudo", "-n", "-u", "alice", "/usr/bin/dd", "of=\(path)", "status=none"]
        XCTAssertEqual(commands[2], fill)
        let stdins = await node.stdins
        XCTAssertEqual(stdins[fill], "t\n")
        XCTAssertEqual(commands[3], ["/usr/bin/sudo", "-n", "-u", "alice", "/usr/bin/sbatch", "--parsable", "--clusters=c1"])
        let environments = await node.environments
        XCTAssertEqual(environments[3], ["JUPYTERHUB_USER": "alice"], "the token is not in the job environment")
        let script = await node.scripts.last ?? ""
        XCTAssertFalse(script.contains("t\n") && script.contains("JUPYTERHUB_API_TOKEN=t"), "the token is not in the script")
    }

    func testResumeFindsJobByTagAndFollowsIt() async throws {
        let node = FakeLoginNode(squeue: ["77|RUNNING|None|node3|slurmhub-aa\n"])
        await node.setJobs("76|RUNNING|bob|slurmhub-zz\n77|PENDING|alice|slurmhub-aa\n")
        let spawn = request()
        _ = await spawn.portReport.report(50002)
        let result = try await spawner(node).resume(spawn, state: .object(["user": "alice", "tag": "slurmhub-aa"]),
                                                    progress: { _ in })
        XCTAssertEqual(result.url, "http://node3:50002")
        XCTAssertEqual(result.state.objectValue?["job_id"], "77")
        let submitted = await node.commands.contains { $0.contains("/usr/bin/sbatch") }
        XCTAssertFalse(submitted, "resuming never submits")
        do {
            _ = try await spawner(node).resume(request(), state: .object(["user": "alice", "tag": "slurmhub-unknown"]),
                                               progress: { _ in })
            XCTFail("a tag without a job cannot be resumed")
        } catch {}
    }

    func testOrphanSweepCancelsOnlyUnknownTags() async throws {
        let node = FakeLoginNode(squeue: [""])
        await node.setJobs("10|RUNNING|alice|slurmhub-known\n11|PENDING|bob|slurmhub-stray\n12|RUNNING|carol|not-ours\n")
        let swept = await (try spawner(node)).sweepOrphans(knownStates: [.object(["tag": "slurmhub-known", "user": "alice"])])
        XCTAssertEqual(swept, ["job 11 of bob"])
        let cancels = await node.commands.filter { $0.contains("/usr/bin/scancel") }
        XCTAssertEqual(cancels, [["/usr/bin/sudo", "-n", "-u", "bob", "/usr/bin/scancel", "11"]])
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

/// Collects checkpointed states.
final class StateLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [(state: JSONValue, submitted: Bool)] = []
    func append(_ state: JSONValue, submitted: Bool) { lock.withLock { stored.append((state, submitted)) } }
    var entries: [(state: JSONValue, submitted: Bool)] { lock.withLock { stored } }
}

/// Collects progress messages from a synchronous callback.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ message: String) { lock.withLock { stored.append(message) } }
    var messages: [String] { lock.withLock { stored } }
}

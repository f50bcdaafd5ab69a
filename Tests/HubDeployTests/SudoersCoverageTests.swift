import Foundation
import HubConfig
@testable import HubDeploy
import HubModel
import HubServer
import HubSpawner
import Logging
import SlurmSpawner
import SSHTransport
import XCTest

/// Every command the Slurm spawner runs through sudo must be allowed by the sudoers fragment generated for
/// the same configuration, and nothing else may be: the spawner is driven through a start, an exit and a stop
/// against a recording login node, and each recorded argv is matched against the parsed rules as sudo matches.
final class SudoersCoverageTests: XCTestCase {
    /// Records commands; answers sbatch, the job's status, the tagged-jobs listing and tail.
    actor RecordingLoginNode: Transport {
        var commands: [[String]] = []
        private var statusCalls = 0

        nonisolated func run(_ command: [String], stdin: String?, environment: [String: String], timeout: Duration)
            async throws -> CommandResult {
            await record(command)
        }

        private func record(_ command: [String]) -> CommandResult {
            commands.append(command)
            let ok = { (text: String) in CommandResult(exitStatus: 0, stdout: text, stderr: "") }
            if command.contains(where: { $0.hasSuffix("sbatch") }) { return ok("4242\n") }
            if command.contains(where: { $0.hasPrefix("--name=") }) { return ok("777|RUNNING|bob|slurmhub-00112233aabbccdd\n") }
            if command.contains(where: { $0.hasPrefix("--jobs=") }), !command.contains("--start") {
                statusCalls += 1
                // The submitted job runs for the start; afterwards every job has left the queue.
                return ok(statusCalls <= 2 ? "4242|RUNNING|None|node7|t\n" : "")
            }
            return ok("")
        }
    }

    /// The argv sudo would run for each rule of the generated fragment (`*` kept as a wildcard).
    func rules(in sudoers: String) throws -> [[String]] {
        // Join continuation lines, then read the command lists of the Cmnd_Alias lines.
        let joined = sudoers.replacingOccurrences(of: "\\\n", with: " ")
        var rules: [[String]] = []
        for line in joined.split(separator: "\n") where line.hasPrefix("Cmnd_Alias ") {
            guard let equals = line.range(of: " = ") else { continue }
            for entry in Self.split(String(line[equals.upperBound...]), on: ",") {
                let words = Self.split(entry, on: " ").filter { !$0.isEmpty }
                if words.count == 1, words[0].uppercased() == words[0], !words[0].hasPrefix("/") { continue }  // an alias name
                rules.append(words)
            }
        }
        return rules
    }

    /// Splits on unescaped `separator`, removing sudoers' backslash escapes.
    static func split(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = [], current = "", escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == separator {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        return parts
    }

    /// sudo's match of a command's arguments: word by word, `*` matching any run of characters (fnmatch without
    /// FNM_PATHNAME, so also `/`).
    static func matches(_ argv: [String], _ rule: [String]) -> Bool {
        argv.count == rule.count && zip(argv, rule).allSatisfy { fnmatch($1, $0, 0) == 0 }
    }

    func spawnThroughEveryCommand(_ config: HubConfiguration) async throws -> (commands: [[String]], sudoers: String) {
        let deployment = try SlurmDeployment(config: config)
        let node = RecordingLoginNode()
        let spawner = SlurmJobSpawner(configuration: deployment.spawner, transport: node, script: try deployment.jobScript(),
                                      logger: Logger(label: "test"))
        let request = SpawnRequest(userName: "alice", serverName: "", servicePrefix: "/user/alice/",
                                   environment: ["JUPYTERHUB_API_TOKEN": "secret", "JUPYTERHUB_USER": "alice"],
                                   userOptions: .object(["partition": "debug"]))
        _ = await request.portReport.report(deployment.spawner.ports.lowerBound)
        let result = try await spawner.start(request, progress: { _ in })
        _ = await spawner.exitDetails(state: result.state)
        try await spawner.stop(state: result.state)
        let swept = await spawner.sweepOrphans(knownStates: [result.state])
        XCTAssertEqual(swept, ["job 777 of bob"])
        let sudoers = try XCTUnwrap(SlurmHostArtifacts(config: config, source: "hub.yaml").files.first { $0.path == "sudoers" }?.text)
        return (await node.commands, sudoers)
    }

    func check(_ slurm: String, expectedPrograms: Set<String>, file: StaticString = #filePath, line: UInt = #line) async throws {
        let config = try slurmConfiguration(slurm)
        let (commands, sudoers) = try await spawnThroughEveryCommand(config)
        let prefix = config.spawner.slurm.sudo
        let sudoCommands = commands.filter { Array($0.prefix(prefix.count)) == prefix }
        let rules = try rules(in: sudoers)
        XCTAssertFalse(rules.isEmpty, "no rules parsed", file: file, line: line)
        var used = Set<Int>()
        for argv in sudoCommands {
            let user = argv[prefix.count]
            XCTAssertNotEqual(user, "root", file: file, line: line)
            let command = Array(argv.dropFirst(prefix.count + 1))
            let matching = rules.indices.filter { Self.matches(command, rules[$0]) }
            XCTAssertFalse(matching.isEmpty, "not allowed by the generated sudoers: \(command)\n\(sudoers)", file: file, line: line)
            used.formUnion(matching)
        }
        XCTAssertEqual(Set(sudoCommands.compactMap { $0.dropFirst(prefix.count + 1).first }), expectedPrograms,
                       file: file, line: line)
        // No rule the spawner never needs.
        XCTAssertEqual(used, Set(rules.indices), "unused rules: \(rules.indices.filter { !used.contains($0) }.map { rules[$0] })",
                       file: file, line: line)
    }

    func testEnvironmentModeCommandsAreAllAllowed() async throws {
        try await check("", expectedPrograms: ["/usr/bin/sbatch", "/usr/bin/scancel", "/usr/bin/tail"])
    }

    func testTokenFileModeWithSiteHomesAndOutputAreAllAllowed() async throws {
        try await check("""
            token_delivery: file
            home: /users/{username}
            output: "{home}/jobs/%x-%u-%j.log"
            job_name: notebook
            sbatch: /opt/slurm/bin/sbatch
            """, expectedPrograms: ["/opt/slurm/bin/sbatch", "/usr/bin/scancel", "/usr/bin/tail", "/usr/bin/install", "/usr/bin/dd"])
    }

    func testAnotherUsersFilesAreNotMatchedByAUsersRuleWhenTheRuleIsExact() {
        // The matcher itself must be able to fail.
        XCTAssertFalse(Self.matches(["/usr/bin/tail", "-n", "40", "--", "/etc/shadow"],
                                    ["/usr/bin/tail", "-n", "40", "--", "/home/*/.slurmhub-*.log"]))
        XCTAssertTrue(Self.matches(["/usr/bin/scancel", "4242"], ["/usr/bin/scancel", "*"]))
        XCTAssertFalse(Self.matches(["/usr/bin/scancel", "4242", "4243"], ["/usr/bin/scancel", "*"]))
    }
}

import Foundation
import HubModel
import HubSpawner
import Logging
@testable import SlurmSpawner
import SSHTransport
import XCTest

/// A login node whose `sinfo` answers after `delay`, counting how often it is asked.
actor SlowSinfoNode: Transport {
    var sinfoCount = 0
    let delay: Duration
    let answer: String

    init(delay: Duration, answer: String = "debug|up|1/3/0/4|2/30/0/32\ngpu|drain|0/0/2/2|0/0/64/64\n") {
        self.delay = delay
        self.answer = answer
    }

    nonisolated func run(_ command: [String], stdin: String?, environment: [String: String], timeout: Duration)
        async throws -> CommandResult {
        await count()
        try await Task.sleep(for: delay)
        return CommandResult(exitStatus: 0, stdout: answer, stderr: "")
    }

    private func count() { sinfoCount += 1 }
}

final class SpawnFormTests: XCTestCase {
    let site = SlurmSite(
        partitions: [.init(name: "gpu", description: "GPUs", maxRuntime: 86400, maxCPUs: 32, maxMemoryMiB: 65536, maxGPUs: 2),
                     .init(name: "debug", simple: true, maxRuntime: 3600, maxCPUs: 4, maxMemoryMiB: 4096)],
        environments: [.init(id: "py", description: "Python"), .init(id: "r")], allowAccountingOptions: false)

    func spawner(_ node: some Transport, lifetime: Duration = .seconds(30)) throws -> SlurmJobSpawner {
        SlurmJobSpawner(configuration: .init(site: site, keepNames: [], ports: 50000...50010, availabilityLifetime: lifetime),
                        transport: node, script: try JobScript.shipped(), logger: Logger(label: "test"))
    }

    func testFormListsPartitionsInConfiguredOrderWithIdleNodesAndCores() async throws {
        let spawner = try spawner(SlowSinfoNode(delay: .zero))
        XCTAssertTrue(spawner.hasOptionsForm)
        let offered = await spawner.optionsForm()
        let form = try XCTUnwrap(offered)
        XCTAssertEqual(form.partitions.map(\.name), ["gpu", "debug"])
        XCTAssertEqual(form.partitions.last?.simple, true)
        XCTAssertEqual(form.environments.map(\.id), ["py", "r"])
        XCTAssertFalse(form.allowAccountingOptions)
        XCTAssertEqual(form.availability, [
            .init(partition: "gpu", state: "drain", idleNodes: 0, totalNodes: 2, idleCPUs: 0, totalCPUs: 64),
            .init(partition: "debug", state: "up", idleNodes: 3, totalNodes: 4, idleCPUs: 30, totalCPUs: 32),
        ])
    }

    func testSlowSinfoLeavesAvailabilityUnknownWithinTheLimitAndFillsTheCache() async throws {
        let node = SlowSinfoNode(delay: .milliseconds(2600))
        let spawner = try spawner(node)
        let started = ContinuousClock.now
        let first = await spawner.optionsForm()
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(2500), "the form never waits long for sinfo")
        XCTAssertNotNil(first)
        XCTAssertNil(first?.availability)
        // The query went on; a few concurrent views share it, and then it is cached.
        async let second = spawner.optionsForm()
        async let third = spawner.optionsForm()
        let answers = await [second, third]
        XCTAssertEqual(answers.compactMap { $0?.availability }.count, 2)
        let count = await node.sinfoCount
        XCTAssertEqual(count, 1)
    }

    func testCacheLifetimeIsConfigurable() async throws {
        let node = SlowSinfoNode(delay: .zero)
        let spawner = try spawner(node, lifetime: .zero)
        _ = try await spawner.partitionAvailability()
        _ = try await spawner.partitionAvailability()
        let uncached = await node.sinfoCount
        XCTAssertEqual(uncached, 2)
        let cachedNode = SlowSinfoNode(delay: .zero)
        let cached = try self.spawner(cachedNode)
        _ = try await cached.partitionAvailability()
        _ = try await cached.partitionAvailability()
        let count = await cachedNode.sinfoCount
        XCTAssertEqual(count, 1)
    }

    func testRefusedOptionsNameTheirField() throws {
        let spawner = try spawner(SlowSinfoNode(delay: .zero))
        XCTAssertThrowsError(try spawner.validateOptions(.object(["partition": "debug", "cpus": "5"]))) { error in
            let refusal = error as? SpawnError
            XCTAssertEqual(refusal?.field, "cpus")
            XCTAssertEqual(refusal?.reason, "must be between 1 and 4")
            XCTAssertEqual(refusal?.message, "Invalid option cpus: must be between 1 and 4")
        }
    }
}

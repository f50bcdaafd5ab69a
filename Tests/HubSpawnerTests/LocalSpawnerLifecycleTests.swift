import Foundation
import Glibc
import HubModel
import XCTest
@testable import HubSpawner

final class LocalSpawnerLifecycleTests: XCTestCase {
    /// Parses the port from `JUPYTERHUB_SERVICE_URL` and serves HTTP on it.
    private let httpServer = """
        p=${JUPYTERHUB_SERVICE_URL#http://*:}; p=${p%%/*}
        exec /usr/bin/python3 -m http.server --bind 127.0.0.1 "$p"
        """

    func testPollRunningThenStopThenGone() async throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3")
        let dir = try makeTemporaryDirectory()
        let spawner = TestSupport.spawner(httpServer, directory: dir)
        let result = try await spawner.start(TestSupport.request(), progress: { _ in })
        let state = try XCTUnwrap(LocalSpawnerState(json: result.state))

        let listening = await TestSupport.waitFor(seconds: 10) { TestSupport.canConnect(port: state.port) }
        XCTAssertTrue(listening, TestSupport.readFile(state.logPath) ?? "<no log>")
        let polled = await spawner.poll(state: result.state)
        XCTAssertEqual(polled, .running)
        XCTAssertEqual(getsid(state.pid), state.pid, "the server must lead its own session")
        XCTAssertNotEqual(getsid(state.pid), getsid(0))

        try await spawner.stop(state: result.state)
        let afterStop = await spawner.poll(state: result.state)
        XCTAssertEqual(afterStop, .gone(exitStatus: nil))
        XCTAssertEqual(kill(state.pid, 0), -1, "the process must be gone and reaped")
        XCTAssertFalse(TestSupport.canConnect(port: state.port))
        try await spawner.stop(state: result.state)  // idempotent
    }

    func testExitedChildIsReapedWithStatus() async throws {
        let dir = try makeTemporaryDirectory()
        let spawner = TestSupport.spawner("sleep 1; exit 7", directory: dir)
        let result = try await spawner.start(TestSupport.request(), progress: { _ in })
        let state = try XCTUnwrap(LocalSpawnerState(json: result.state))
        let process = ServerProcess(pid: state.pid, startTime: state.startTime, reader: ProcessInfoReader())
        var last = PollResult.running
        // `check()` is the synchronous core of `poll`.
        let exited = await TestSupport.waitFor(seconds: 5) {
            last = process.check()
            return last != .running
        }
        XCTAssertTrue(exited)
        XCTAssertEqual(last, .gone(exitStatus: 7))
        let again = await spawner.poll(state: result.state)
        XCTAssertEqual(again, .gone(exitStatus: nil))
        XCTAssertNil(ProcessInfoReader().stat(pid: state.pid), "no zombie may be left behind")
    }

    func testChildIgnoringSIGTERMIsKilledAfterGracePeriod() async throws {
        let dir = try makeTemporaryDirectory()
        let spawner = TestSupport.spawner("trap '' TERM; echo ready; sleep 1000; sleep 1000",
                                          directory: dir, grace: .milliseconds(700))
        let result = try await spawner.start(TestSupport.request(), progress: { _ in })
        let state = try XCTUnwrap(LocalSpawnerState(json: result.state))
        _ = await TestSupport.waitFor { (TestSupport.readFile(state.logPath) ?? "").contains("ready") }

        let started = ContinuousClock.now
        try await spawner.stop(state: result.state)
        let elapsed = ContinuousClock.now - started
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(700))
        XCTAssertLessThan(elapsed, .seconds(5))
        let polled = await spawner.poll(state: result.state)
        XCTAssertEqual(polled, .gone(exitStatus: nil))
        XCTAssertEqual(kill(state.pid, 0), -1)
        XCTAssertEqual(ProcessInfoReader().liveMembers(ofGroup: state.pid), [], "the whole group must be gone")
    }

    func testGroupMemberIgnoringSIGTERMIsKilledAfterLeaderExits() async throws {
        let dir = try makeTemporaryDirectory()
        let script = "trap 'exit 0' TERM; (trap '' TERM; exec sleep 1000) & echo ready; wait"
        let spawner = TestSupport.spawner(script, directory: dir, grace: .milliseconds(500))
        let result = try await spawner.start(TestSupport.request(), progress: { _ in })
        let state = try XCTUnwrap(LocalSpawnerState(json: result.state))
        _ = await TestSupport.waitFor { (TestSupport.readFile(state.logPath) ?? "").contains("ready") }
        XCTAssertEqual(ProcessInfoReader().liveMembers(ofGroup: state.pid).count, 2)

        try await spawner.stop(state: result.state)
        XCTAssertEqual(ProcessInfoReader().liveMembers(ofGroup: state.pid), [])
    }

    func testWrongStartTimeReportsGoneAndIsNotKilled() async throws {
        let dir = try makeTemporaryDirectory()
        let spawner = TestSupport.spawner("exec sleep 1000", directory: dir)
        let result = try await spawner.start(TestSupport.request(), progress: { _ in })
        var state = try XCTUnwrap(LocalSpawnerState(json: result.state))
        state.startTime += 1
        let polled = await spawner.poll(state: state.json)
        XCTAssertEqual(polled, .gone(exitStatus: nil))
        try await spawner.stop(state: state.json)  // must not touch the real process
        let real = await spawner.poll(state: result.state)
        XCTAssertEqual(real, .running)
        try await spawner.stop(state: result.state)
    }

    func testInvalidStateIsGoneAndStopSucceeds() async throws {
        let spawner = LocalSpawner(command: ["true"], portRange: 20_000...20_001, logDirectory: "/nonexistent",
                                   logger: TestSupport.logger)
        let polledNull = await spawner.poll(state: .null)
        XCTAssertEqual(polledNull, .gone(exitStatus: nil))
        let polledEmpty = await spawner.poll(state: .object([:]))
        XCTAssertEqual(polledEmpty, .gone(exitStatus: nil))
        try await spawner.stop(state: .null)
        try await spawner.stop(state: .object(["pid": .number(999_999_999), "start_time": .number(1)]))
    }

    func testProcessThatIsNotOurChildIsSeenThroughProc() async throws {
        // After a hub restart the server is no longer the hub's child; the test runner's parent plays that role.
        let parent = getppid()
        XCTAssertGreaterThan(parent, 1, "the test runner needs a parent other than init")
        let stat = try XCTUnwrap(ProcessInfoReader().stat(pid: parent))
        let spawner = LocalSpawner(command: ["true"], portRange: 20_000...20_001, logDirectory: "/nonexistent",
                                   logger: TestSupport.logger)
        let state = LocalSpawnerState(pid: parent, port: 1, startTime: stat.startTime, logPath: "")
        let polled = await spawner.poll(state: state.json)
        XCTAssertEqual(polled, .running)
        let pollAll = await spawner.pollAll(states: ["a": state.json, "b": .null])
        XCTAssertEqual(pollAll, ["a": .running, "b": .gone(exitStatus: nil)])
    }
}

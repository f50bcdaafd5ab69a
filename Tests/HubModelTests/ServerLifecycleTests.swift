import HubModel
import XCTest

final class ServerLifecycleTests: XCTestCase {
    func testSpawnToRunningToStopped() throws {
        var state = ServerLifecycle.stopped
        state = try state.applying(.spawnRequested)
        XCTAssertEqual(state.pending, "spawn")
        XCTAssertFalse(state.ready)
        state = try state.applying(.spawnSucceeded)
        XCTAssertTrue(state.ready)
        XCTAssertNil(state.pending)
        state = try state.applying(.stopRequested)
        XCTAssertEqual(state.pending, "stop")
        state = try state.applying(.stopFinished)
        XCTAssertEqual(state, .stopped)
    }

    func testFailureKeepsMessageAndAllowsRespawn() throws {
        let failed = try ServerLifecycle.spawning.applying(.spawnFailed("boom"))
        XCTAssertEqual(failed, .failed("boom"))
        XCTAssertFalse(failed.active)
        XCTAssertEqual(try failed.applying(.spawnRequested), .spawning)
    }

    func testRestartChecksThenResolves() throws {
        let checking = try ServerLifecycle.stopped.applying(.restored)
        XCTAssertEqual(checking.pending, "check")
        XCTAssertEqual(try checking.applying(.pollRunning), .running)
        XCTAssertEqual(try checking.applying(.pollGone), .stopped)
    }

    func testInvalidTransitionsThrow() {
        XCTAssertThrowsError(try ServerLifecycle.stopped.applying(.spawnSucceeded))
        XCTAssertThrowsError(try ServerLifecycle.running.applying(.spawnRequested))
        XCTAssertThrowsError(try ServerLifecycle.stopped.applying(.pollRunning))
    }
}

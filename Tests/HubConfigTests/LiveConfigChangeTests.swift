import Foundation
import HubConfig
import XCTest

final class LiveConfigChangeTests: XCTestCase {
    func base() throws -> HubConfiguration {
        try ConfigLoader.load(path: nil, environment: ["SLURMHUB_HUB_PUBLIC_BIND": "127.0.0.1:8000"])
    }

    func testLiveKeysApplyAndRestartOnlyKeysKeepTheirRunningValue() throws {
        let running = try base()
        var loaded = running
        loaded.ui.siteName = "New name"
        loaded.hub.concurrentSpawnLimit = 7
        loaded.spawner.slurm.sinfoCacheSeconds = 99
        loaded.hub.publicBind = try XCTUnwrap(ListenAddress("0.0.0.0:9000"))
        loaded.spawner.slurm.loginNodes = ["login9"]
        loaded.log.level = "debug"

        let change = LiveConfigChange(running: running, loaded: loaded)
        XCTAssertEqual(change.applied.ui.siteName, "New name")
        XCTAssertEqual(change.applied.hub.concurrentSpawnLimit, 7)
        XCTAssertEqual(change.applied.spawner.slurm.sinfoCacheSeconds, 99)
        XCTAssertEqual(change.applied.hub.publicBind, running.hub.publicBind)
        XCTAssertEqual(change.applied.spawner.slurm.loginNodes, running.spawner.slurm.loginNodes)
        XCTAssertEqual(change.applied.log, running.log)
        XCTAssertEqual(change.restartRequired, ["hub.public_bind", "spawner.slurm.login_nodes", "log"])
        XCTAssertEqual(change.changedSections, ["hub", "spawner", "ui"])
    }

    func testNothingChanged() throws {
        let running = try base()
        let change = LiveConfigChange(running: running, loaded: running)
        XCTAssertEqual(change.applied, running)
        XCTAssertEqual(change.restartRequired, [])
        XCTAssertEqual(change.changedSections, [])
    }
}

import Glibc
import HubModel
@testable import HubSpawner
import XCTest

final class ProcessInfoReaderTests: XCTestCase {
    func testParsesStatWithAwkwardCommandName() throws {
        let text = "4242 (we ird) (name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10\n"
        let stat = try XCTUnwrap(ProcessInfoReader.parseStat(text))
        XCTAssertEqual(stat.pid, 4242)
        XCTAssertEqual(stat.state, "S")
        XCTAssertEqual(stat.parentPid, 1)
        XCTAssertEqual(stat.processGroup, 4242)
        XCTAssertEqual(stat.session, 4242)
        XCTAssertEqual(stat.startTime, 987_654)
        XCTAssertFalse(stat.isZombie)
    }

    func testRejectsGarbage() {
        XCTAssertNil(ProcessInfoReader.parseStat(""))
        XCTAssertNil(ProcessInfoReader.parseStat("12 (x) S 1 2"))
    }

    func testReadsOwnProcess() throws {
        let stat = try XCTUnwrap(ProcessInfoReader().stat(pid: getpid()))
        XCTAssertEqual(stat.pid, getpid())
        XCTAssertEqual(stat.parentPid, getppid())
        XCTAssertGreaterThan(stat.startTime, 0)
        XCTAssertNil(ProcessInfoReader().stat(pid: 0))
    }

    func testExitCodeDecoding() {
        XCTAssertEqual(ServerProcess.exitCode(waitStatus: 3 << 8), 3)
        XCTAssertEqual(ServerProcess.exitCode(waitStatus: 9), 137)
    }

    func testStateRoundTrip() throws {
        let state = LocalSpawnerState(pid: 1234, port: 20_001, startTime: 55_555, logPath: "/tmp/a.log")
        XCTAssertEqual(LocalSpawnerState(json: state.json), state)
        XCTAssertNil(LocalSpawnerState(json: .null))
        XCTAssertNil(LocalSpawnerState(json: .object(["pid": .string("x")])))
    }

    func testLogPathNames() {
        XCTAssertEqual(ServerLogFile.path(directory: "/var/log/x/", user: "alice", server: ""), "/var/log/x/alice.log")
        XCTAssertEqual(ServerLogFile.path(directory: "/l", user: "alice", server: "gpu"), "/l/alice-gpu.log")
    }
}

import Foundation
import Glibc
import HubModel
import XCTest
@testable import HubSpawner

final class LocalSpawnerStartTests: XCTestCase {
    func testStartPassesEnvironmentAndChoosesPortInRange() async throws {
        let dir = try makeTemporaryDirectory()
        setenv("SLURMHUB_TEST_SECRET", "must-not-leak", 1)
        setenv("SLURMHUB_TEST_ALLOWED", "allowed-value", 1)
        defer {
            unsetenv("SLURMHUB_TEST_SECRET")
            unsetenv("SLURMHUB_TEST_ALLOWED")
        }
        let spawner = TestSupport.spawner(
            "env > '\(dir)/env.tmp' && mv '\(dir)/env.tmp' '\(dir)/env.txt'; exec sleep 1000",
            directory: dir, portRange: 21_000...21_099,
            environment: ["EXTRA_FROM_CONFIG": "yes", "JUPYTERHUB_API_TOKEN": "config-loses"],
            passEnvironment: LocalSpawner.defaultPassEnvironment + ["SLURMHUB_TEST_ALLOWED"])
        XCTAssertEqual(spawner.kind, "local")
        let events = EventRecorder()
        let result = try await spawner.start(TestSupport.request(), progress: events.record)
        let state = try XCTUnwrap(LocalSpawnerState(json: result.state))
        defer { Task { try? await spawner.stop(state: result.state) } }

        XCTAssertTrue((21_000...21_099).contains(state.port))
        XCTAssertNotEqual(state.port, 0)
        XCTAssertEqual(result.url, "http://127.0.0.1:\(state.port)")
        XCTAssertGreaterThan(state.startTime, 0)
        XCTAssertEqual(state.logPath, dir + "/logs/alice.log")
        let object = try XCTUnwrap(result.state.objectValue)
        XCTAssertEqual(Set(object.keys), ["pid", "port", "start_time", "log"])
        XCTAssertTrue(events.messages.contains("Starting sh on port \(state.port)"), "\(events.messages)")

        let envFile = dir + "/env.txt"
        let appeared = await TestSupport.waitFor { FileManager.default.fileExists(atPath: envFile) }
        XCTAssertTrue(appeared)
        let env = TestSupport.parseEnv(TestSupport.readFile(envFile) ?? "")
        XCTAssertEqual(env["JUPYTERHUB_SERVICE_URL"], "http://127.0.0.1:\(state.port)/user/alice/")
        XCTAssertEqual(env["JUPYTERHUB_API_TOKEN"], "token-123")
        XCTAssertEqual(env["JUPYTERHUB_USER"], "alice")
        XCTAssertEqual(env["EXTRA_FROM_CONFIG"], "yes")
        XCTAssertEqual(env["SLURMHUB_TEST_ALLOWED"], "allowed-value")
        XCTAssertNil(env["SLURMHUB_TEST_SECRET"])
        XCTAssertNotNil(env["PATH"])

        try await spawner.stop(state: result.state)
    }

    func testLogFileReceivesOutputWithPrivateModes() async throws {
        let dir = try makeTemporaryDirectory()
        let spawner = TestSupport.spawner("echo hello-stdout; echo hello-stderr >&2; exec sleep 1000",
                                          directory: dir)
        let result = try await spawner.start(TestSupport.request(server: "gpu"), progress: { _ in })
        let state = try XCTUnwrap(LocalSpawnerState(json: result.state))
        XCTAssertEqual(state.logPath, dir + "/logs/alice-gpu.log")
        let written = await TestSupport.waitFor {
            let text = TestSupport.readFile(state.logPath) ?? ""
            return text.contains("hello-stdout") && text.contains("hello-stderr")
        }
        XCTAssertTrue(written, TestSupport.readFile(state.logPath) ?? "<no log>")
        XCTAssertEqual(TestSupport.mode(state.logPath), 0o600)
        XCTAssertEqual(TestSupport.mode(dir + "/logs"), 0o700)
        try await spawner.stop(state: result.state)
    }

    func testChildInheritsNoDescriptorsAndDefaultSignals() async throws {
        let dir = try makeTemporaryDirectory()
        let leaked = open("/dev/null", O_RDONLY)  // deliberately without O_CLOEXEC
        XCTAssertGreaterThan(leaked, 2)
        defer { close(leaked) }
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let spawner = TestSupport.spawner(
            "grep SigIgn /proc/self/status; ls /proc/$$/fd | tr '\\n' ' '; echo; echo done; exec sleep 1000",
            directory: dir)
        let result = try await spawner.start(TestSupport.request(), progress: { _ in })
        let state = try XCTUnwrap(LocalSpawnerState(json: result.state))
        _ = await TestSupport.waitFor { (TestSupport.readFile(state.logPath) ?? "").contains("done") }
        try await spawner.stop(state: result.state)

        let lines = (TestSupport.readFile(state.logPath) ?? "").split(separator: "\n").map(String.init)
        // Standard signals (1-31, SIGPIPE among them) have their default disposition; glibc keeps
        // its internal real-time signals (32, 33) out of posix_spawn's reach.
        let ignored = UInt64(lines.first?.split(separator: "\t").last ?? "", radix: 16)
        XCTAssertEqual(ignored.map { $0 & 0x7fff_ffff }, 0, "\(lines)")
        let descriptors = Set(lines.dropFirst().first?.split(separator: " ").map(String.init) ?? [])
        XCTAssertEqual(descriptors, ["0", "1", "2"], "\(lines)")
    }

    func testImmediateExitThrowsWithLogTail() async throws {
        let dir = try makeTemporaryDirectory()
        let spawner = TestSupport.spawner("echo boom-line-1; echo boom-line-2 >&2; exit 3", directory: dir)
        do {
            _ = try await spawner.start(TestSupport.request(), progress: { _ in })
            XCTFail("start should have thrown")
        } catch let error as SpawnError {
            XCTAssertTrue(error.message.contains("status 3"), error.message)
            XCTAssertTrue(error.message.contains("boom-line-1"), error.message)
            XCTAssertTrue(error.message.contains("boom-line-2"), error.message)
        }
    }

    func testUnknownCommandThrows() async throws {
        let dir = try makeTemporaryDirectory()
        let spawner = LocalSpawner(command: ["slurmhub-no-such-command-xyz"], portRange: 20_000...29_999,
                                   logDirectory: dir, logger: TestSupport.logger)
        do {
            _ = try await spawner.start(TestSupport.request(), progress: { _ in })
            XCTFail("start should have thrown")
        } catch let error as SpawnError {
            XCTAssertTrue(error.message.contains("not found"), error.message)
        }
    }

    func testBusyPortIsSkippedAndPortZeroNeverChosen() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                XCTAssertEqual(bind(fd, $0, length), 0)
                XCTAssertEqual(listen(fd, 1), 0)
                XCTAssertEqual(getsockname(fd, $0, &length), 0)
                if getsockname(fd, $0, &length) != 0 { throw SpawnError("getsockname") }
            }
        }
        let busy = Int(UInt16(bigEndian: address.sin_port))
        XCTAssertFalse(PortFinder.isFree(host: "127.0.0.1", port: busy))
        for _ in 0..<10 {
            let port = PortFinder.freePort(host: "127.0.0.1", in: busy...(busy + 1))
            XCTAssertEqual(port, busy + 1)
        }
        XCTAssertNil(PortFinder.freePort(host: "127.0.0.1", in: busy...busy))
        XCTAssertNil(PortFinder.freePort(host: "127.0.0.1", in: 0...0))
    }
}

/// Collects progress events from a spawn.
final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ProgressEvent] = []

    var messages: [String] { lock.withLock { events.map(\.message) } }

    func record(_ event: ProgressEvent) {
        lock.withLock { events.append(event) }
    }
}

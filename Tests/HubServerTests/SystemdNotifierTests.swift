import Foundation
import HubConfig
import HubModel
@testable import HubServer
import Logging
import XCTest

/// sd_notify messages, start-up readiness and the journald log format.
final class SystemdNotifierTests: XCTestCase {
    /// A unix datagram socket playing systemd's notify socket; `NOTIFY_SOCKET` points at it while `body` runs.
    func withNotifySocket(_ body: () throws -> Void) throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("n-\(UUID().uuidString.prefix(8))").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd); unlink(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        setenv("NOTIFY_SOCKET", path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        try body()
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard count > 0 else { break }
            messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
        }
        return messages
    }

    func testEachStateIsOneDatagramAndReloadingCarriesTheMonotonicClock() throws {
        let before = SystemdNotifier.monotonicMicroseconds()
        let messages = try withNotifySocket {
            let notifier = SystemdNotifier()
            XCTAssertTrue(notifier.isEnabled)
            notifier.ready(status: "0 servers running,\n0 spawning")
            notifier.watchdog()
            notifier.reloading()
            notifier.reloaded(status: "reloaded")
            notifier.stopping()
        }
        XCTAssertEqual(messages.count, 7, "\(messages)")
        XCTAssertEqual(messages[0], "READY=1")
        XCTAssertEqual(messages[1], "STATUS=0 servers running, 0 spawning")
        XCTAssertEqual(messages[2], "WATCHDOG=1")
        let reloading = messages[3].split(separator: "\n")
        XCTAssertEqual(reloading.first, "RELOADING=1")
        let stamp = try XCTUnwrap(reloading.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        XCTAssertTrue(stamp >= before && stamp <= SystemdNotifier.monotonicMicroseconds())
        XCTAssertEqual(Array(messages[4...]), ["READY=1", "STATUS=reloaded", "STOPPING=1"])
    }

    func testWithoutNotifySocketNothingIsSentAndNoWatchdog() {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "2000000"])
        XCTAssertFalse(notifier.isEnabled)
        XCTAssertNil(notifier.watchdogTimeout)
        XCTAssertFalse(notifier.send(["READY=1"]))
    }

    func testWatchdogTimeoutFromWatchdogUsecAndPid() throws {
        _ = try withNotifySocket {
            setenv("WATCHDOG_USEC", "2000000", 1)
            defer { unsetenv("WATCHDOG_USEC"); unsetenv("WATCHDOG_PID") }
            XCTAssertEqual(SystemdNotifier().watchdogTimeout, .seconds(2))
            setenv("WATCHDOG_PID", "\(getpid())", 1)
            XCTAssertEqual(SystemdNotifier().watchdogTimeout, .seconds(2))
            setenv("WATCHDOG_PID", "1", 1)  // meant for another process
            XCTAssertNil(SystemdNotifier().watchdogTimeout)
        }
    }

    func testReadinessWaitsForEveryStepAndEndsOnCancellation() async {
        let readiness = StartupReadiness(steps: [.proxy, .hubAPI, .restore])
        let waiter = Task { await readiness.waitUntilReady(); return await readiness.isReady }
        await readiness.done(.proxy)
        await readiness.done(.restore)
        let outstanding = await readiness.outstanding
        XCTAssertEqual(outstanding, [.hubAPI])
        await readiness.done(.hubAPI)
        let ready = await waiter.value
        XCTAssertTrue(ready)

        let never = StartupReadiness(steps: [.routeAPI])
        let cancelled = Task { await never.waitUntilReady(); return await never.isReady }
        cancelled.cancel()
        let readyAfterCancel = await cancelled.value
        XCTAssertFalse(readyAfterCancel)
    }

    func testStatusLine() {
        XCTAssertEqual(ServerCounts().statusLine, "0 servers running, 0 spawning")
        XCTAssertEqual(ServerCounts(running: 1, spawning: 2).statusLine, "1 server running, 2 spawning")
        XCTAssertEqual(ServerCounts(running: 3, spawning: 0, stopping: 1).statusLine, "3 servers running, 0 spawning, 1 stopping")
    }

    func testJournalLinesCarryThePriorityOnEveryLine() {
        XCTAssertEqual(JournalLogHandler.format(level: .warning, label: "slurmhub.proxy", message: "upstream down",
                                                metadata: ["url": "http://a", "code": "503"]),
                       "<4>slurmhub.proxy: upstream down [code=503 url=http://a]\n")
        XCTAssertEqual(JournalLogHandler.format(level: .error, label: "slurmhub", message: "two\nlines", metadata: [:]),
                       "<3>slurmhub: two\n<3>slurmhub:   lines\n")
        XCTAssertEqual(Logger.Level.allCases.map(JournalLogHandler.priority), [7, 7, 6, 5, 4, 3, 2])
    }

    func testAutoFormatUsesTheJournalOnlyWhenStandardErrorIsTheJournalStream() throws {
        let status = try XCTUnwrap(FileStatus(descriptor: 2))
        let mine = "\(status.device):\(status.inode)"
        XCTAssertTrue(HubLogging.usesJournal(format: .auto, environment: ["JOURNAL_STREAM": mine]))
        XCTAssertFalse(HubLogging.usesJournal(format: .auto, environment: ["JOURNAL_STREAM": "\(status.device):\(status.inode + 1)"]))
        XCTAssertFalse(HubLogging.usesJournal(format: .auto, environment: ["JOURNAL_STREAM": "garbage"]))
        XCTAssertFalse(HubLogging.usesJournal(format: .auto, environment: [:]))
        XCTAssertFalse(HubLogging.usesJournal(format: .plain, environment: ["JOURNAL_STREAM": mine]))
        XCTAssertTrue(HubLogging.usesJournal(format: .journal, environment: [:]))
    }

    func testLogFormatIsValidated() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("slurmhub-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("hub: {public_bind: \"127.0.0.1:8000\"}\nlog: {format: journal}".utf8).write(to: url)
        XCTAssertEqual(try ConfigLoader.load(path: url.path, environment: [:]).log.format, .journal)
        XCTAssertEqual(try ConfigLoader.load(path: nil, environment: ["SLURMHUB_HUB_PUBLIC_BIND": "127.0.0.1:8000"]).log.format, .auto)
        try Data("log: {format: syslog}".utf8).write(to: url)
        XCTAssertThrowsError(try ConfigLoader.load(path: url.path, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("'syslog' is not one of auto, plain, journal"), "\(error)")
        }
    }
}

import XCTest

@testable import SSHTransport

/// Session reuse, failover, reconnection, timeouts and close against a real sshd.
final class SSHTransportSessionTests: XCTestCase {
    func testSequentialCommandsReuseOneSession() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        for index in 0..<20 {
            let result = try await transport.run(["echo", "\(index)"], timeout: .seconds(10))
            XCTAssertEqual(result.stdout, "\(index)\n")
        }
        let handshakes = await transport.handshakeCount()
        await transport.close()
        XCTAssertEqual(handshakes, 1)
        XCTAssertEqual(sshd.log.components(separatedBy: "Accepted publickey").count - 1, 1)
    }

    func testConcurrentCommandsShareTheSession() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask { try await transport.run(["echo", "\(index)"], timeout: .seconds(20)).stdout }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let handshakes = await transport.handshakeCount()
        await transport.close()
        XCTAssertEqual(Set(outputs), Set((0..<8).map { "\($0)\n" }))
        XCTAssertEqual(handshakes, 1)
    }

    func testFailoverToTheNextHost() async throws {
        let sshd = try SSHDHarness.start()
        let closedPort = try SSHDHarness.freePort()
        let transport = SSHTransport(configuration: sshd.configuration {
            $0.hosts = [SSHHost("127.0.0.1", port: closedPort), sshd.host]
        })
        let first = try await transport.run(["echo", "one"], timeout: .seconds(10))
        // The dead host is now backing off: the second command goes straight to the live one.
        let second = try await transport.run(["echo", "two"], timeout: .seconds(10))
        let handshakes = await transport.handshakeCount()
        await transport.close()
        XCTAssertEqual(first.stdout + second.stdout, "one\ntwo\n")
        XCTAssertEqual(handshakes, 1)
    }

    func testAllHostsDownReportsTheLastError() async throws {
        let closedPorts = [try SSHDHarness.freePort(), try SSHDHarness.freePort()]
        let transport = SSHTransport(configuration: SSHTransportConfiguration(
            hosts: closedPorts.map { SSHHost("127.0.0.1", port: $0) }, user: "root",
            privateKeyPath: "/nonexistent", knownHostsPath: "/nonexistent",
            reconnectInitialDelay: .milliseconds(100)))
        let started = ContinuousClock.now
        do {
            _ = try await transport.run(["true"], timeout: .seconds(2))
            XCTFail("expected a connection failure")
        } catch let error as TransportError {
            guard case .connectFailed(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("\(closedPorts[1])"), reason)
        }
        // It kept retrying with backoff until the timeout was nearly used up, and no longer.
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
        await transport.close()
    }

    func testReconnectsAfterTheSessionDies() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        let before = try await transport.run(["echo", "before"], timeout: .seconds(10))
        try sshd.killSessions()
        let after = try await transport.run(["echo", "after"], timeout: .seconds(10))
        let handshakes = await transport.handshakeCount()
        await transport.close()
        XCTAssertEqual(before.stdout + after.stdout, "before\nafter\n")
        XCTAssertEqual(handshakes, 2)
    }

    func testKeepaliveNoticesADeadSession() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration { $0.keepalive = .milliseconds(200) })
        _ = try await transport.run(["true"], timeout: .seconds(10))
        // Idle keepalives go out and are answered: the session stays.
        try await Task.sleep(for: .milliseconds(700))
        let idle = await transport.openSessionCount()
        try sshd.killSessions()
        try await Task.sleep(for: .seconds(1))
        let afterKill = await transport.openSessionCount()
        let next = try await transport.run(["echo", "back"], timeout: .seconds(10))
        let handshakes = await transport.handshakeCount()
        await transport.close()
        XCTAssertEqual(idle, 1)
        XCTAssertEqual(afterKill, 0, "the keepalive should have dropped the dead session")
        XCTAssertEqual(next.stdout, "back\n")
        XCTAssertEqual(handshakes, 2)
    }

    func testTimeoutKillsTheCommandAndKeepsTheSession() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        _ = try await transport.run(["true"], timeout: .seconds(10))
        let marker = "slurmhub-timeout-\(UInt32.random(in: 0...UInt32.max))"
        let started = ContinuousClock.now
        await XCTAssertThrowsTransportError(.timeout) {
            try await transport.run(["sh", "-c", "exec sleep 30 # \(marker)"], timeout: .seconds(1))
        }
        let elapsed = ContinuousClock.now - started
        XCTAssertLessThan(elapsed, .seconds(5))
        XCTAssertGreaterThanOrEqual(elapsed, .seconds(1))
        let next = try await transport.run(["echo", "still here"], timeout: .seconds(10))
        XCTAssertEqual(next.stdout, "still here\n")
        // The remote command was killed, not left running.
        let left = try await transport.run(["sh", "-c", "pgrep -f \(marker) || true"], timeout: .seconds(10))
        let handshakes = await transport.handshakeCount()
        await transport.close()
        XCTAssertEqual(left.stdout.split(separator: "\n").count, 1, "only pgrep's own shell: \(left.stdout)")
        XCTAssertEqual(handshakes, 1)
    }

    func testCancellationStopsTheCommand() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        let task = Task { try await transport.run(["sleep", "30"], timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        task.cancel()
        let outcome = await task.result
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4))
        XCTAssertThrowsError(try outcome.get()) { XCTAssertTrue($0 is CancellationError, "\($0)") }
        await transport.close()
    }

    func testCloseDisconnectsAndRefusesLaterCommands() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        _ = try await transport.run(["true"], timeout: .seconds(10))
        XCTAssertFalse(sshd.sessionProcesses().isEmpty)
        await transport.close()
        await XCTAssertThrowsTransportError(.closed) {
            try await transport.run(["true"], timeout: .seconds(10))
        }
        // The server sees the disconnect: its session process goes away.
        var attempts = 0
        while !sshd.sessionProcesses().isEmpty && attempts < 100 {
            attempts += 1
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertEqual(sshd.sessionProcesses(), [])
    }
}

import XCTest

@testable import SSHTransport

/// Commands against a real sshd: output, stdin, quoting and environment.
final class SSHTransportCommandTests: XCTestCase {
    func testStdoutStderrAndExitStatusAreSeparate() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        let result = try await transport.run(
            ["sh", "-c", "echo out; echo err >&2; exit 3"], timeout: .seconds(10))
        await transport.close()
        XCTAssertEqual(result, CommandResult(exitStatus: 3, stdout: "out\n", stderr: "err\n"))
    }

    func testStdinIsDeliveredThenClosed() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        let small = try await transport.run(["cat"], stdin: "hello\nworld\n", environment: [:], timeout: .seconds(10))
        XCTAssertEqual(small.stdout, "hello\nworld\n")
        // Larger than the SSH window: stdin is written as the window opens while output is read.
        let large = String(repeating: "0123456789abcdef", count: 256 * 1024)
        let echoed = try await transport.run(["cat"], stdin: large, environment: [:], timeout: .seconds(30))
        XCTAssertEqual(echoed.stdout.count, large.count)
        XCTAssertEqual(echoed.stdout, large)
        let none = try await transport.run(["wc", "-c"], timeout: .seconds(10))
        XCTAssertEqual(none.stdout.trimmingCharacters(in: .whitespaces), "0\n")
        await transport.close()
    }

    func testArgumentsArriveIntact() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        let words = [
            "two words", "it's", "\"double\"", "$HOME", "${PATH}", "`id`", "$(id)", "line1\nline2",
            "", "*", "a;b|c&d>e", "\\", "tab\there", "PATH=/nowhere", "ünïcødé", "-n",
        ]
        let result = try await transport.run(["printf", "[%s]"] + words, timeout: .seconds(10))
        await transport.close()
        XCTAssertEqual(result.exitStatus, 0, result.stderr)
        XCTAssertEqual(result.stdout, words.map { "[\($0)]" }.joined())
    }

    func testOnlyAllowedEnvironmentIsSent() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration())
        let script = #"printf '%s|%s|%s' "${JUPYTERHUB_USER-unset}" "${JUPYTERHUB_API_URL-unset}" "#
            + #""${SECRET_TOKEN-unset}""#
        let result = try await transport.run(
            ["sh", "-c", script], stdin: nil,
            environment: [
                "JUPYTERHUB_USER": "alice smith",
                "JUPYTERHUB_API_URL": "http://hub:8081/hub/api",  // sshd accepts it, we do not allow it
                "SECRET_TOKEN": "hunter2",  // allowed by nobody
            ],
            timeout: .seconds(10))
        await transport.close()
        XCTAssertEqual(result.stdout, "alice smith|unset|unset")
        // sshd logs every env request at DEBUG2: only the allowed one may appear.
        let log = sshd.log
        XCTAssertTrue(log.contains("JUPYTERHUB_USER"), "sshd logged no env request:\n\(log)")
        XCTAssertFalse(log.contains("JUPYTERHUB_API_URL"))
        XCTAssertFalse(log.contains("SECRET_TOKEN"))
        XCTAssertFalse(log.contains("hunter2"))
    }

    func testInvalidCommandsAreRejectedLocally() async throws {
        let transport = SSHTransport(configuration: SSHTransportConfiguration(
            hosts: [SSHHost("127.0.0.1", port: 1)], user: "root", privateKeyPath: "/nonexistent",
            knownHostsPath: "/nonexistent"))
        await XCTAssertThrowsTransportError(.invalidCommand("the command is empty")) {
            try await transport.run([], timeout: .seconds(1))
        }
        await XCTAssertThrowsTransportError(.invalidCommand("an argument contains a NUL byte")) {
            try await transport.run(["echo", "a\u{0}b"], timeout: .seconds(1))
        }
    }
}

/// Asserts that `body` throws exactly `expected`.
func XCTAssertThrowsTransportError<T>(
    _ expected: TransportError,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ body: () async throws -> T
) async {
    do {
        let value = try await body()
        XCTFail("expected \(expected), got \(value)", file: file, line: line)
    } catch let error as TransportError {
        XCTAssertEqual(error, expected, file: file, line: line)
    } catch {
        XCTFail("expected \(expected), got \(error)", file: file, line: line)
    }
}

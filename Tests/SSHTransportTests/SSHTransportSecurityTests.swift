import XCTest

@testable import SSHTransport

/// Host key pinning and client authentication against a real sshd.
final class SSHTransportSecurityTests: XCTestCase {
    func testUnknownHostKeyIsRefused() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration { $0.knownHostsPath = sshd.emptyKnownHosts })
        await XCTAssertThrowsTransportError(.hostKeyUnknown(host: "[127.0.0.1]:\(sshd.port)")) {
            try await transport.run(["true"], timeout: .seconds(10))
        }
        await transport.close()
        // Nothing was learned: the pinned file is still empty.
        XCTAssertEqual(try String(contentsOfFile: sshd.emptyKnownHosts, encoding: .utf8), "")
        XCTAssertFalse(sshd.log.contains("Accepted publickey"))
    }

    func testMissingKnownHostsFileIsRefused() async throws {
        let sshd = try SSHDHarness.start()
        let missing = sshd.path("no_such_known_hosts")
        let transport = SSHTransport(configuration: sshd.configuration { $0.knownHostsPath = missing })
        await XCTAssertThrowsTransportError(.hostKeyUnknown(host: "[127.0.0.1]:\(sshd.port)")) {
            try await transport.run(["true"], timeout: .seconds(10))
        }
        await transport.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }

    func testChangedHostKeyIsRefused() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration { $0.knownHostsPath = sshd.changedKnownHosts })
        await XCTAssertThrowsTransportError(.hostKeyChanged(host: "[127.0.0.1]:\(sshd.port)")) {
            try await transport.run(["true"], timeout: .seconds(10))
        }
        await transport.close()
        XCTAssertFalse(sshd.log.contains("Accepted publickey"))
    }

    func testWrongClientKeyFailsAuthentication() async throws {
        let sshd = try SSHDHarness.start()
        let transport = SSHTransport(configuration: sshd.configuration { $0.privateKeyPath = sshd.wrongKey })
        await XCTAssertThrowsTransportError(.authenticationFailed(host: "[127.0.0.1]:\(sshd.port)")) {
            try await transport.run(["true"], timeout: .seconds(10))
        }
        await transport.close()
    }

    func testMissingPrivateKeyIsReported() async throws {
        let sshd = try SSHDHarness.start()
        let missing = sshd.path("no_such_key")
        let transport = SSHTransport(configuration: sshd.configuration { $0.privateKeyPath = missing })
        await XCTAssertThrowsTransportError(.privateKeyUnusable(path: missing, reason: "missing or unreadable")) {
            try await transport.run(["true"], timeout: .seconds(10))
        }
        await transport.close()
    }

    func testOpenSSHCertificateNextToTheKeyIsUsed() async throws {
        let sshd = try SSHDHarness.start()
        // certified_ed25519 is not in authorized_keys; its certificate is signed by the trusted CA.
        let transport = SSHTransport(configuration: sshd.configuration { $0.privateKeyPath = sshd.certifiedKey })
        let result = try await transport.run(["id", "-un"], timeout: .seconds(10))
        await transport.close()
        XCTAssertEqual(result.stdout, "root\n")
        XCTAssertTrue(sshd.log.contains("ED25519-CERT"), sshd.log)
    }
}

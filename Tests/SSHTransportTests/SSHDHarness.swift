import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

@testable import SSHTransport

/// A private OpenSSH server on a free 127.0.0.1 port, with fresh host, client, CA and wrong keys
/// in a temporary directory. Needs root and /usr/sbin/sshd: if either is missing, `start()`
/// throws and the test fails (it is never skipped).
final class SSHDHarness {
    struct HarnessError: Error, CustomStringConvertible {
        let description: String
    }

    let directory: URL
    let port: Int
    private(set) var pid: pid_t?

    private init(directory: URL, port: Int) {
        self.directory = directory
        self.port = port
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    var host: SSHHost { SSHHost("127.0.0.1", port: port) }
    var clientKey: String { path("client_ed25519") }
    var wrongKey: String { path("wrong_ed25519") }
    var certifiedKey: String { path("certified_ed25519") }
    /// A known_hosts file pinning this server's real host key.
    var knownHosts: String { path("known_hosts") }
    /// A known_hosts file pinning another key for this server's address.
    var changedKnownHosts: String { path("known_hosts_changed") }
    /// An empty known_hosts file.
    var emptyKnownHosts: String { path("known_hosts_empty") }
    var log: String { (try? String(contentsOfFile: path("sshd.log"), encoding: .utf8)) ?? "" }

    /// Creates the keys and the configuration, starts sshd (logging to `sshd.log` with -E, so that
    /// its debug output never reaches a session's stderr) and waits until it accepts connections.
    static func start() throws -> SSHDHarness {
        guard getuid() == 0 else { throw HarnessError(description: "the sshd tests must run as root") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            throw HarnessError(description: "/usr/sbin/sshd is missing (apt-get install openssh-server)")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sshd-harness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let harness = SSHDHarness(directory: directory, port: try freePort())
        try harness.prepareFiles()
        try harness.launch()
        return harness
    }

    private func prepareFiles() throws {
        for name in ["host_ed25519", "other_host_ed25519", "client_ed25519", "wrong_ed25519",
                     "certified_ed25519", "ca_ed25519"] {
            try Self.shell(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path(name)])
        }
        try Self.shell(["/usr/bin/ssh-keygen", "-q", "-s", path("ca_ed25519"), "-I", "slurmhub-test",
                        "-n", "root", path("certified_ed25519.pub")])
        let hostKey = try String(contentsOfFile: path("host_ed25519.pub"), encoding: .utf8)
        let otherKey = try String(contentsOfFile: path("other_host_ed25519.pub"), encoding: .utf8)
        try "[127.0.0.1]:\(port) \(hostKey)".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        try "[127.0.0.1]:\(port) \(otherKey)".write(toFile: changedKnownHosts, atomically: true, encoding: .utf8)
        try "".write(toFile: emptyKnownHosts, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: path("client_ed25519.pub"), toPath: path("authorized_keys"))
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(path("host_ed25519"))
            PidFile \(path("sshd.pid"))
            AuthorizedKeysFile \(path("authorized_keys"))
            TrustedUserCAKeys \(path("ca_ed25519.pub"))
            PermitRootLogin prohibit-password
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            UseDNS no
            AcceptEnv JUPYTERHUB_USER JUPYTERHUB_API_URL
            LogLevel DEBUG2

            """
        try config.write(toFile: path("sshd_config"), atomically: true, encoding: .utf8)
    }

    private func launch() throws {
        let pid = try ChildProcess.spawn(
            ["/usr/sbin/sshd", "-D", "-E", path("sshd.log"), "-f", path("sshd_config")])
        self.pid = pid
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if ChildProcess.hasExited(pid) {
                self.pid = nil
                throw HarnessError(description: "sshd exited at once:\n\(log)")
            }
            if Self.accepts(port: port) { return }
            usleep(20_000)
        }
        throw HarnessError(description: "sshd did not listen on port \(port) within 10 s:\n\(log)")
    }

    /// Stops the server (SIGTERM to the pid we started, then SIGKILL to its connection children).
    func stop() {
        guard let pid else { return }
        let children = sessionProcesses()
        kill(pid, SIGTERM)
        _ = ChildProcess.wait(pid)
        self.pid = nil
        for child in children { kill(child, SIGKILL) }
    }

    /// Kills the per-connection sshd processes (children of the server we started) by pid, which
    /// drops every open session while the server keeps listening.
    func killSessions() throws {
        let children = sessionProcesses()
        guard !children.isEmpty else { throw HarnessError(description: "sshd has no session process") }
        for child in children { kill(child, SIGKILL) }
        usleep(100_000)
    }

    /// The pids of the processes whose parent is our sshd.
    func sessionProcesses() -> [pid_t] {
        guard let pid else { return [] }
        let output = (try? ChildProcess.run(["/usr/bin/pgrep", "-P", "\(pid)"], allowFailure: true)) ?? ""
        return output.split(separator: "\n").compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// A configuration for this server with the right keys; `adjust` changes it further.
    func configuration(
        _ adjust: (inout SSHTransportConfiguration) -> Void = { _ in }
    ) -> SSHTransportConfiguration {
        var configuration = SSHTransportConfiguration(
            hosts: [host], user: "root", privateKeyPath: clientKey, knownHostsPath: knownHosts,
            allowedEnvironment: ["JUPYTERHUB_USER"], connectTimeout: .seconds(5))
        adjust(&configuration)
        return configuration
    }

    // MARK: - Helpers

    @discardableResult
    static func shell(_ argv: [String]) throws -> String {
        try ChildProcess.run(argv)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw HarnessError(description: "socket() failed") }
        defer { close(socketFD) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw HarnessError(description: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

import Logging

/// A ``Transport`` that runs commands on cluster login nodes over SSH (libssh).
///
/// - Sessions: one authenticated session per login node, opened on first use and kept open; each
///   command gets a new channel on it (no handshake per command). Commands to one node run one at
///   a time on that node's own serial queue (libssh sessions are not thread-safe); each is bounded
///   by its timeout, so a slow command delays the commands queued behind it but cannot wedge them.
/// - Host keys: pinned by ``SSHTransportConfiguration/knownHostsPath``; an unknown or different
///   key is refused and nothing is ever written to the file.
/// - Failover: a command goes to the first node in ``SSHTransportConfiguration/hosts`` that can
///   be reached. A node whose connection failed is skipped until its backoff delay (doubling up to
///   the maximum) has passed; when every node is down with a transient error, the command waits for
///   the earliest retry within its timeout. The last error is reported.
/// - A command is never sent twice: once it may have started, a lost connection is reported as
///   ``TransportError/connectionLost(_:)``, not retried.
public final class SSHTransport: Transport {
    /// The configuration the transport was created with.
    public let configuration: SSHTransportConfiguration
    private let nodes: [LoginNode]
    private let logger: Logger
    private let shutdown = StopFlag()

    /// Creates the transport; it connects lazily, on the first command.
    public init(configuration: SSHTransportConfiguration, logger: Logger = Logger(label: "slurmhub.ssh")) {
        self.configuration = configuration
        self.logger = logger
        self.nodes = configuration.hosts.map { LoginNode(host: $0, configuration: configuration, logger: logger) }
    }

    public func run(
        _ command: [String],
        stdin: String?,
        environment: [String: String],
        timeout: Duration
    ) async throws -> CommandResult {
        if shutdown.isRaised { throw TransportError.closed }
        let cancellation = StopFlag()
        let prepared = RemoteCommand(
            commandLine: try Self.commandLine(command),
            stdin: Array((stdin ?? "").utf8),
            environment: try sendableEnvironment(environment),
            deadline: ContinuousClock.now + timeout,
            cancellation: cancellation,
            shutdown: shutdown)
        return try await withTaskCancellationHandler {
            try await runWithFailover(prepared)
        } onCancel: {
            cancellation.raise()
        }
    }

    /// Disconnects every session. Commands still running stop within moments and throw
    /// ``TransportError/closed``, as do all later ones.
    public func close() async {
        shutdown.raise()
        for node in nodes {
            await node.shutDown()
        }
    }

    /// Drops every session without closing the transport: each node's next command connects again and checks its
    /// host key against the known_hosts file as it is now (used when that file changes, so a removed key stops
    /// being trusted by sessions already open).
    public func reconnectAll(reason: String) async {
        for node in nodes {
            await node.reconnect(reason: reason)
        }
    }

    /// The sessions established so far, over all nodes (for tests: one per node when reused).
    func handshakeCount() async -> Int {
        var total = 0
        for node in nodes {
            total += await node.handshakeCount()
        }
        return total
    }

    /// The nodes that currently hold a live session (for tests).
    func openSessionCount() async -> Int {
        var total = 0
        for node in nodes where await node.hasOpenSession() {
            total += 1
        }
        return total
    }

    private func runWithFailover(_ command: RemoteCommand) async throws -> CommandResult {
        guard !nodes.isEmpty else { throw TransportError.connectFailed("no SSH hosts are configured") }
        while true {
            var lastFailure: TransportError?
            var allTransient = true
            var earliestRetry: ContinuousClock.Instant?
            for node in nodes {
                do {
                    return try await node.run(command)
                } catch let unavailable as NodeUnavailable {
                    lastFailure = unavailable.failure
                    allTransient = allTransient && unavailable.failure.isTransient
                    earliestRetry = min(earliestRetry ?? unavailable.retryAt, unavailable.retryAt)
                    logger.debug(
                        "SSH host unavailable; trying the next one",
                        metadata: ["ssh.host": "\(node.host)", "error": "\(unavailable.failure)"])
                }
            }
            let failure = lastFailure ?? .connectFailed("no SSH host could be reached")
            guard allTransient, let earliestRetry, earliestRetry < command.deadline else { throw failure }
            try await Task.sleep(until: earliestRetry, clock: .continuous)
            try command.checkContinue()
        }
    }

    /// The argv array as one remote shell line; argv words cannot hold NUL bytes.
    private static func commandLine(_ argv: [String]) throws -> String {
        guard !argv.isEmpty else { throw TransportError.invalidCommand("the command is empty") }
        if argv.contains(where: { $0.utf8.contains(0) }) {
            throw TransportError.invalidCommand("an argument contains a NUL byte")
        }
        return ShellQuoting.commandLine(argv)
    }

    /// Keeps only the allowed names; the others are logged (by name only) and never sent.
    private func sendableEnvironment(_ environment: [String: String]) throws -> [RemoteCommand.Variable] {
        var variables: [RemoteCommand.Variable] = []
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            guard configuration.allowedEnvironment.contains(name) else {
                logger.debug("not sending a disallowed environment variable", metadata: ["name": "\(name)"])
                continue
            }
            if name.utf8.contains(0) || value.utf8.contains(0) {
                throw TransportError.invalidCommand("the environment variable \(name) contains a NUL byte")
            }
            variables.append(RemoteCommand.Variable(name: name, value: value))
        }
        return variables
    }
}

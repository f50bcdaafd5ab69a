import Dispatch
import Logging

/// A login node that cannot take a command right now: its last connection attempt failed, or
/// this one did. `retryAt` is when the next attempt is allowed.
struct NodeUnavailable: Error {
    let failure: TransportError
    let retryAt: ContinuousClock.Instant
}

/// One login node: its single session, kept open and reused, and the serial queue that owns it.
///
/// Every libssh call for the node runs on `queue`, one command at a time: a command waits for the
/// ones queued before it (its timeout keeps running meanwhile). A dead session is replaced on the
/// next command, with exponential backoff between failed attempts.
final class LoginNode: @unchecked Sendable {
    // @unchecked: all mutable state below is touched only on `queue`.
    let host: SSHHost
    private let configuration: SSHTransportConfiguration
    private let logger: Logger
    private let queue: DispatchQueue

    private var session: LibSSHSession?
    private var backoff: ReconnectBackoff
    private var retryAt: ContinuousClock.Instant?
    private var lastFailure: TransportError?
    private var handshakes = 0
    private var isShutDown = false
    private var keepaliveTimer: (any DispatchSourceTimer)?

    init(host: SSHHost, configuration: SSHTransportConfiguration, logger: Logger) {
        self.host = host
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "ssh.host"] = "\(host)"
        self.logger = logger
        self.queue = DispatchQueue(label: "slurmhub.ssh.\(host)")
        self.backoff = ReconnectBackoff(
            initial: configuration.reconnectInitialDelay, maximum: configuration.reconnectMaximumDelay)
    }

    deinit {
        keepaliveTimer?.cancel()
    }

    /// Runs `command` on this node's session, connecting first if needed.
    func run(_ command: RemoteCommand) async throws -> CommandResult {
        try await onQueue { try $0.runHere(command) }
    }

    /// How many sessions this node has established so far.
    func handshakeCount() async -> Int {
        (try? await onQueue { $0.handshakes }) ?? 0
    }

    /// Whether the node currently holds a session it believes to be alive.
    func hasOpenSession() async -> Bool {
        (try? await onQueue { $0.session?.isConnected ?? false }) ?? false
    }

    /// Disconnects the session for good; later commands fail with ``TransportError/closed``.
    func shutDown() async {
        _ = try? await onQueue { node in
            node.isShutDown = true
            node.dropSession(reason: nil)
        }
    }

    /// Drops the session (after the command running on it, if any) and forgets any backoff, so the next command
    /// connects at once and verifies the host key again.
    func reconnect(reason: String) async {
        _ = try? await onQueue { node in
            node.dropSession(reason: reason)
            node.backoff.reset()
            node.retryAt = nil
            node.lastFailure = nil
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (LoginNode) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self) })
            }
        }
    }

    private func runHere(_ command: RemoteCommand) throws -> CommandResult {
        if isShutDown { throw TransportError.closed }
        try command.checkContinue()
        var reconnected = false
        while true {
            let current = try connectedSession(before: command.deadline)
            do {
                return try ChannelExecution(session: current, command: command).run()
            } catch ChannelFailure.openFailed(let reason) {
                // Nothing ran: replace a stale session once, then give up on this node.
                dropSession(reason: "cannot open a channel: \(reason)")
                try command.checkContinue()
                if reconnected {
                    throw TransportError.commandFailed("\(host): cannot open a channel: \(reason)")
                }
                reconnected = true
            } catch ChannelFailure.sessionBroken(let error) {
                dropSession(reason: "\(error)")
                throw error
            }
        }
    }

    /// The open session, or a new one; throws ``NodeUnavailable`` while backing off or on failure.
    private func connectedSession(before deadline: ContinuousClock.Instant) throws -> LibSSHSession {
        if let session {
            if session.isConnected { return session }
            dropSession(reason: "the connection is gone: \(session.lastError)")
        }
        if let retryAt, let lastFailure, ContinuousClock.now < retryAt {
            throw NodeUnavailable(failure: lastFailure, retryAt: retryAt)
        }
        let timeout = min(configuration.connectTimeout, deadline.remaining)
        do {
            let fresh = try LibSSHSession(host: host, configuration: configuration, timeout: timeout)
            handshakes += 1
            configuration.onSessionEstablished?(host)
            session = fresh
            backoff.reset()
            retryAt = nil
            lastFailure = nil
            startKeepalive()
            logger.debug("SSH session established")
            return fresh
        } catch {
            let failure = error as? TransportError ?? .connectFailed("\(host): \(error)")
            let delay = backoff.nextDelay()
            let retryAt = ContinuousClock.now + delay
            self.retryAt = retryAt
            lastFailure = failure
            logger.warning("SSH connection failed; next attempt in \(delay)", metadata: ["error": "\(failure)"])
            throw NodeUnavailable(failure: failure, retryAt: retryAt)
        }
    }

    private func dropSession(reason: String?) {
        keepaliveTimer?.cancel()
        keepaliveTimer = nil
        guard session != nil else { return }
        if let reason {
            logger.info("dropping the SSH session", metadata: ["reason": "\(reason)"])
        }
        session = nil  // deinit disconnects and frees it
    }

    private func startKeepalive() {
        keepaliveTimer?.cancel()
        keepaliveTimer = nil
        guard let interval = configuration.keepalive, interval > .zero else { return }
        let milliseconds = Int(interval.clampedMilliseconds)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(milliseconds), repeating: .milliseconds(milliseconds))
        timer.setEventHandler { [weak self] in self?.sendKeepalive() }
        keepaliveTimer = timer
        timer.resume()
    }

    private func sendKeepalive() {
        guard let session else { return }
        session.setTimeout(configuration.connectTimeout)
        if !session.sendKeepalive() {
            dropSession(reason: "keepalive failed: \(session.lastError)")
        }
    }
}

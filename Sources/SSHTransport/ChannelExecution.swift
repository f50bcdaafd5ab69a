import CLibSSH

/// Runs one command on a new channel of an open session, then closes the channel.
///
/// Must be called on the session's queue. Reading uses non-blocking reads and short polls, so the
/// deadline, task cancellation and `close()` are noticed within about `pollInterval`.
struct ChannelExecution {
    let session: LibSSHSession
    let command: RemoteCommand

    private static let pollInterval: Duration = .milliseconds(50)
    private static let chunkSize = 32 * 1024

    func run() throws -> CommandResult {
        try command.checkContinue()
        session.setTimeout(command.deadline.remaining)
        guard let channel = ssh_channel_new(session.handle) else {
            throw ChannelFailure.openFailed(session.lastError)
        }
        defer { ssh_channel_free(channel) }
        guard ssh_channel_open_session(channel) == SSH_OK else {
            throw ChannelFailure.openFailed(session.lastError)
        }
        do {
            let result = try exchange(on: channel)
            ssh_channel_close(channel)
            return result
        } catch let failure as ChannelFailure {
            throw failure
        } catch {
            abandon(channel)
            guard session.isConnected else {
                let lost = TransportError.connectionLost("\(session.host): \(session.lastError)")
                throw ChannelFailure.sessionBroken(Self.isOwnStop(error) ? error : lost)
            }
            throw error
        }
    }

    /// Timeouts, cancellation and `close()` keep their own error even when the session dies with them.
    private static func isOwnStop(_ error: any Error) -> Bool {
        if error is CancellationError { return true }
        switch error as? TransportError {
        case .timeout, .closed: return true
        default: return false
        }
    }

    /// Environment, exec, stdin, output and exit status.
    private func exchange(on channel: OpaquePointer) throws -> CommandResult {
        for variable in command.environment {
            // sshd answers "failure" for names outside its AcceptEnv; the command still runs.
            if ssh_channel_request_env(channel, variable.name, variable.value) != SSH_OK {
                try blockingCallFailed()
            }
        }
        try command.checkContinue()
        guard ssh_channel_request_exec(channel, command.commandLine) == SSH_OK else {
            try blockingCallFailed()
            throw TransportError.commandFailed("\(session.host): exec request refused: \(session.lastError)")
        }
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        try pump(channel, stdout: &stdout, stderr: &stderr)
        try command.checkContinue()
        session.setTimeout(command.deadline.remaining)
        let status = ssh_channel_get_exit_status(channel)
        if status == -1 {
            try stillAlive()
            if ssh_channel_is_closed(channel) == 0 { try command.checkContinue() }
        }
        return CommandResult(
            exitStatus: status,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Feeds stdin (within the flow-control window, then EOF) while collecting output until EOF.
    private func pump(_ channel: OpaquePointer, stdout: inout [UInt8], stderr: inout [UInt8]) throws {
        var written = 0
        var eofSent = false
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            try command.checkContinue()
            var progressed = false
            if written < command.stdin.count {
                let room = min(Int(ssh_channel_window_size(channel)), command.stdin.count - written, Self.chunkSize)
                if room > 0 {
                    session.setTimeout(command.deadline.remaining)
                    let count = command.stdin[written..<(written + room)].withUnsafeBytes {
                        ssh_channel_write(channel, $0.baseAddress, UInt32(room))
                    }
                    if count < 0 {
                        // The command closed its end (or exited): stop feeding it, keep reading.
                        try stillAlive()
                        written = command.stdin.count
                    } else {
                        written += Int(count)
                        progressed = count > 0
                    }
                }
            } else if !eofSent {
                if ssh_channel_send_eof(channel) != SSH_OK { try stillAlive() }
                eofSent = true
            }
            progressed = try read(channel, stderr: false, into: &stdout, buffer: &buffer) || progressed
            progressed = try read(channel, stderr: true, into: &stderr, buffer: &buffer) || progressed
            if progressed { continue }
            if ssh_channel_is_eof(channel) != 0 { return }
            let wait = min(Self.pollInterval, command.deadline.remaining)
            let polled = ssh_channel_poll_timeout(channel, max(1, wait.clampedMilliseconds), 0)
            if polled == SSH_ERROR { throw TransportError.connectionLost(session.lastError) }
        }
    }

    /// Moves whatever is buffered on one stream into `output`; returns whether anything was read.
    private func read(
        _ channel: OpaquePointer, stderr: Bool, into output: inout [UInt8], buffer: inout [UInt8]
    ) throws -> Bool {
        let count = buffer.withUnsafeMutableBytes {
            ssh_channel_read_nonblocking(channel, $0.baseAddress, UInt32($0.count), stderr ? 1 : 0)
        }
        if count == SSH_ERROR { throw TransportError.connectionLost(session.lastError) }
        guard count > 0 else { return false }
        output.append(contentsOf: buffer[0..<Int(count)])
        return true
    }

    /// After a timeout, cancellation or error: kill the remote command (sshd ≥ 8.1 honours
    /// "signal" requests) and close the channel without waiting for the server.
    private func abandon(_ channel: OpaquePointer) {
        guard session.isConnected, ssh_channel_is_open(channel) != 0 else { return }
        session.setTimeout(.seconds(1))
        _ = ssh_channel_request_send_signal(channel, "KILL")
        ssh_channel_close(channel)
    }

    /// A blocking request failed: a dead session or an expired deadline (the reply may still be
    /// pending, so the session cannot be trusted) break the session; anything else is a refusal.
    private func blockingCallFailed() throws {
        try stillAlive()
        if ContinuousClock.now >= command.deadline {
            throw ChannelFailure.sessionBroken(TransportError.timeout)
        }
    }

    private func stillAlive() throws {
        if !session.isConnected { throw TransportError.connectionLost(session.lastError) }
    }
}

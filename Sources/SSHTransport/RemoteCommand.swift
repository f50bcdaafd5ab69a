/// One command, ready to be sent: quoted, with its environment already filtered.
struct RemoteCommand: Sendable {
    /// One environment variable to send as a channel `env` request.
    struct Variable: Sendable {
        let name: String
        let value: String
    }

    /// The argv array quoted into one line for the remote shell.
    let commandLine: String
    let stdin: [UInt8]
    /// Only allowed names, sorted by name.
    let environment: [Variable]
    /// The command fails with ``TransportError/timeout`` past this instant.
    let deadline: ContinuousClock.Instant
    /// Raised when the calling task is cancelled.
    let cancellation: StopFlag
    /// Raised when the transport is closed.
    let shutdown: StopFlag

    /// Throws if the command must stop now: closed, cancelled or out of time.
    func checkContinue() throws {
        if shutdown.isRaised { throw TransportError.closed }
        if cancellation.isRaised { throw CancellationError() }
        if ContinuousClock.now >= deadline { throw TransportError.timeout }
    }
}

/// How running a command on a session failed, as far as the session is concerned.
enum ChannelFailure: Error {
    /// No channel could be opened: the session is probably dead; nothing ran, so retrying is safe.
    case openFailed(String)
    /// The session is no longer usable (it died, or a protocol exchange was cut short); drop it.
    case sessionBroken(any Error)
}

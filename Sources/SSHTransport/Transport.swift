/// Runs commands on another machine, such as a cluster login node.
///
/// A command is an argv array: implementations pass every argument through intact (an SSH
/// transport quotes each one for the remote POSIX shell, see ``ShellQuoting``), so callers never
/// build shell strings themselves.
public protocol Transport: Sendable {
    /// Runs `command` and waits for it to finish.
    ///
    /// - Parameters:
    ///   - command: the program and its arguments; must not be empty.
    ///   - stdin: written to the command's standard input, which is then closed; `nil` for none.
    ///   - environment: variables to set for the command; a transport may drop names it does not allow.
    ///   - timeout: the longest the whole call may take; past it the command is abandoned
    ///     (and killed where possible) and ``TransportError/timeout`` is thrown.
    /// - Returns: the exit status and the collected output; a non-zero exit status is not an error.
    func run(
        _ command: [String],
        stdin: String?,
        environment: [String: String],
        timeout: Duration
    ) async throws -> CommandResult
}

extension Transport {
    /// Runs `command` with no standard input and no extra environment.
    public func run(_ command: [String], timeout: Duration) async throws -> CommandResult {
        try await run(command, stdin: nil, environment: [:], timeout: timeout)
    }
}

/// What a finished command left behind.
public struct CommandResult: Sendable, Equatable {
    /// The command's exit status; -1 when it reported none (for example, killed by a signal).
    public var exitStatus: Int32
    /// Everything the command wrote to standard output (decoded as UTF-8, invalid bytes replaced).
    public var stdout: String
    /// Everything the command wrote to standard error (decoded as UTF-8, invalid bytes replaced).
    public var stderr: String

    /// Creates a result.
    public init(exitStatus: Int32, stdout: String, stderr: String) {
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Whether the command exited with status 0.
    public var succeeded: Bool { exitStatus == 0 }
}

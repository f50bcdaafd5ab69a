import Foundation

/// Why a ``Transport`` could not run a command (a command that ran and exited non-zero is not an error).
public enum TransportError: Error, Sendable, Equatable {
    /// The host presented a key that the pinned known_hosts file has no entry for; nothing is ever added.
    case hostKeyUnknown(host: String)
    /// The known_hosts file pins a different key (or key type) for the host: possibly an attack.
    case hostKeyChanged(host: String)
    /// The host refused the configured private key (and certificate, if any).
    case authenticationFailed(host: String)
    /// The configured private key or its certificate could not be read.
    case privateKeyUnusable(path: String, reason: String)
    /// No connection could be established (refused, unreachable, handshake failed or timed out).
    case connectFailed(String)
    /// The connection died while the command was running: it may or may not have run.
    case connectionLost(String)
    /// The host refused to start the command (channel or exec request failed).
    case commandFailed(String)
    /// The command cannot be sent as given (empty argv, NUL bytes).
    case invalidCommand(String)
    /// The command did not finish within its timeout; it was abandoned and sent SIGKILL.
    case timeout
    /// The transport was closed.
    case closed

    /// Whether another attempt (or another login node) might succeed where this one failed;
    /// host key, authentication and key file problems need an administrator instead.
    var isTransient: Bool {
        switch self {
        case .connectFailed, .connectionLost: true
        default: false
        }
    }
}

extension TransportError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case .hostKeyUnknown(let host):
            "the host key of \(host) is not in the pinned known_hosts file; refusing to connect"
        case .hostKeyChanged(let host):
            "the host key of \(host) does not match the pinned known_hosts file (possible man-in-the-middle); "
                + "refusing to connect"
        case .authenticationFailed(let host):
            "\(host) refused the configured SSH key"
        case .privateKeyUnusable(let path, let reason):
            "cannot use the SSH private key \(path): \(reason)"
        case .connectFailed(let reason):
            "cannot connect over SSH: \(reason)"
        case .connectionLost(let reason):
            "the SSH connection was lost while the command ran (it may or may not have run): \(reason)"
        case .commandFailed(let reason):
            "the SSH server would not run the command: \(reason)"
        case .invalidCommand(let reason):
            "invalid command: \(reason)"
        case .timeout:
            "the command timed out"
        case .closed:
            "the SSH transport is closed"
        }
    }

    public var errorDescription: String? { description }
}

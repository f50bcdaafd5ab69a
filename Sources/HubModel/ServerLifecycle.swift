import Foundation

/// The lifecycle of one server (a user's default or named server), as one state machine.
///
/// ```
/// stopped ─spawn→ spawning ─up→ running ─stop→ stopping ─stopped→ stopped
///              └─fail→ failed        └─gone→ stopped
/// (restart) checking ─running→ running / ─gone→ stopped / ─spawnResumed→ spawning
/// ```
/// Everything else asks this type; nobody re-derives state from rows or flags.
public enum ServerLifecycle: Sendable, Equatable {
    /// No server; the last spawn did not fail (or the failure was acknowledged).
    case stopped
    /// A spawn is in progress (submitted, queued, starting, waiting for the server to answer).
    case spawning
    /// The server answers and is routed.
    case running
    /// A stop is in progress.
    case stopping
    /// After a hub restart: the row exists but the spawner has not been polled yet.
    case checking
    /// The last spawn failed or was cancelled; the message is shown on the pending page.
    case failed(String)

    /// What happens to a server.
    public enum Event: Sendable, Equatable {
        case spawnRequested, spawnSucceeded, spawnFailed(String)
        case stopRequested, stopFinished
        case restored, pollRunning, pollGone
        /// After a restart, a spawn that was in progress continues.
        case spawnResumed
    }

    /// Why a transition was refused.
    public struct TransitionError: Error, Sendable, Equatable, CustomStringConvertible {
        public let from: ServerLifecycle
        public let event: Event
        public var description: String { "cannot apply \(event) while \(from.label)" }
    }

    /// The state after `event`, or an error if the event makes no sense now.
    public func applying(_ event: Event) throws -> ServerLifecycle {
        switch (self, event) {
        case (.stopped, .spawnRequested), (.failed, .spawnRequested): return .spawning
        case (.spawning, .spawnSucceeded): return .running
        case (.spawning, .spawnFailed(let message)): return .failed(message)
        case (.spawning, .stopRequested), (.running, .stopRequested), (.checking, .stopRequested): return .stopping
        case (.stopping, .stopFinished): return .stopped
        case (.stopping, .spawnFailed), (.stopping, .pollGone), (.stopping, .spawnSucceeded): return .stopping
        case (.running, .pollGone), (.checking, .pollGone): return .stopped
        case (.running, .pollRunning), (.checking, .pollRunning): return .running
        case (.stopped, .restored), (.failed, .restored): return .checking
        case (.checking, .spawnResumed): return .spawning
        case (.failed, .stopFinished), (.stopped, .stopFinished): return .stopped
        default: throw TransitionError(from: self, event: event)
        }
    }

    /// JupyterHub's `pending` field: `spawn`, `stop`, `check` or nil.
    public var pending: String? {
        switch self {
        case .spawning: return "spawn"
        case .stopping: return "stop"
        case .checking: return "check"
        default: return nil
        }
    }

    /// JupyterHub's `ready`: running and nothing pending.
    public var ready: Bool { self == .running }

    /// Whether a server row exists (spawning, running, stopping or checking): "active" in JupyterHub.
    public var active: Bool {
        switch self {
        case .spawning, .running, .stopping, .checking: return true
        case .stopped, .failed: return false
        }
    }

    /// A short name for logs and metrics.
    public var label: String {
        switch self {
        case .stopped: return "stopped"
        case .spawning: return "spawning"
        case .running: return "running"
        case .stopping: return "stopping"
        case .checking: return "checking"
        case .failed: return "failed"
        }
    }
}

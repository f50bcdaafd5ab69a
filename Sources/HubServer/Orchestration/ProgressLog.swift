import HubSpawner
import NIOConcurrencyHelpers

/// The progress events of one spawn, appended by the spawner and read by event-stream clients.
///
/// Lock-protected rather than an actor because spawners report progress from synchronous callbacks.
public final class ProgressLog: Sendable {
    /// How a spawn ended.
    public enum Outcome: Sendable, Equatable {
        case ready(url: String)
        case failed(String)
    }

    private struct State {
        var events: [ProgressEvent] = [ProgressEvent(progress: 0, message: "Server requested")]
        var outcome: Outcome?
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Adds an event unless the spawn already ended.
    public func append(_ event: ProgressEvent) {
        state.withLockedValue { state in
            guard state.outcome == nil else { return }
            state.events.append(event)
        }
    }

    /// Records the end of the spawn (first outcome wins).
    public func finish(_ outcome: Outcome) {
        state.withLockedValue { state in
            if state.outcome == nil { state.outcome = outcome }
        }
    }

    /// Events from `index` on, and the outcome if the spawn ended.
    public func read(from index: Int) -> (events: [ProgressEvent], outcome: Outcome?) {
        state.withLockedValue { state in
            (index < state.events.count ? Array(state.events[index...]) : [], state.outcome)
        }
    }

    /// The latest message, for pages.
    public var latestMessage: String {
        state.withLockedValue { $0.events.last?.message ?? "" }
    }
}

import NIOConcurrencyHelpers
import NIOCore

/// Tracks a server's listening channel and its open child connections so shutdown can close
/// everything (upgraded WebSocket connections have no idle timeout and would otherwise linger).
final class ChannelRegistry: Sendable {
    private struct State {
        var server: Channel?
        var children: [ObjectIdentifier: Channel] = [:]
        var closed = false
    }

    private let state = NIOLockedValueBox(State())

    /// Records the bound listening channel.
    func setServer(_ channel: Channel) {
        state.withLockedValue { $0.server = channel }
    }

    /// The listening channel, if bound.
    var server: Channel? { state.withLockedValue { $0.server } }

    /// Registers an accepted connection; it is forgotten automatically when it closes.
    /// Returns false (and the caller should close it) when the server is shutting down.
    func register(_ channel: Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLockedValue { state -> Bool in
            if state.closed { return false }
            state.children[id] = channel
            return true
        }
        if accepted {
            channel.closeFuture.whenComplete { [weak self] _ in
                self?.state.withLockedValue { _ = $0.children.removeValue(forKey: id) }
            }
        }
        return accepted
    }

    /// Closes the listening channel and every open connection, and waits for them.
    func closeAll() async {
        let (server, children) = state.withLockedValue { state -> (Channel?, [Channel]) in
            state.closed = true
            return (state.server, Array(state.children.values))
        }
        if let server {
            try? await server.close()
        }
        for child in children {
            try? await child.close()
        }
    }
}

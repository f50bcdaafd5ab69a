import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Tracks a server's listening channel and its open child connections so shutdown can close
/// everything (upgraded WebSocket connections have no idle timeout and would otherwise linger).
final class ChannelRegistry: Sendable {
    private struct State {
        var server: (any Channel)?
        var children: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    private let state = NIOLockedValueBox(State())

    /// Records the bound listening channel.
    func setServer(_ channel: any Channel) {
        state.withLockedValue { $0.server = channel }
    }

    /// The listening channel, if bound.
    var server: (any Channel)? { state.withLockedValue { $0.server } }

    /// Registers an accepted connection; it is forgotten automatically when it closes.
    /// Returns false (and the caller should close it) when the server is shutting down.
    func register(_ channel: any Channel) -> Bool {
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
        let (server, children) = state.withLockedValue { state -> ((any Channel)?, [any Channel]) in
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

extension ChannelRegistry {
    /// Binds a server with the options both of the module's servers use, tracking its connections and closing
    /// those `gate` turns away; `configure` adds the HTTP handlers to each accepted connection. Returns the bound port.
    func bind(group: any EventLoopGroup, host: String, port: Int, backlog: Int32, what: String,
              gate: ConnectionGate? = nil, logger: Logger,
              configure: @escaping @Sendable (any Channel) throws -> Void) async throws -> Int {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                guard gate?.admit(channel) ?? true, register(channel) else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture { try configure(channel) }
            }
            .bind(host: host, port: port)
            .get()
        setServer(channel)
        logger.info("\(what) listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        return channel.localAddress?.port ?? port
    }

    /// Serves until the current task is cancelled, then closes everything.
    func serve(start: () async throws -> Int) async throws {
        _ = try await start()
        await waitForCancellation()
        await closeAll()
    }
}

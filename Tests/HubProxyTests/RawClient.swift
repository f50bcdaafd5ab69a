import NIOCore
import NIOPosix

/// One step of a raw conversation: bytes to send, and when the answer is complete.
struct RawStep {
    let send: String
    /// Waited before sending.
    var pause: Duration = .zero
    let until: @Sendable (String) -> Bool
}

/// A raw conversation that took longer than its time limit.
struct RawClientTimeout: Error {}

/// A raw TCP client for tests that need to see exact bytes (upgrades, HTTP/1.0).
enum RawClient {
    /// Connects, runs each step (send, then read until its condition holds or the peer closes)
    /// and closes. Returns what was received per step and whether the peer closed the connection.
    /// The whole conversation is abandoned (``RawClientTimeout``) after `limit`, so a peer that never answers
    /// fails the test instead of hanging it.
    static func converse(port: Int, _ steps: [RawStep], limit: Duration = .seconds(30),
                         from source: String? = nil) async throws -> (replies: [String], closed: Bool) {
        try await withThrowingTaskGroup(of: (replies: [String], closed: Bool).self) { group in
            group.addTask { try await converseUnbounded(port: port, steps, from: source) }
            group.addTask {
                try await Task.sleep(for: limit)
                throw RawClientTimeout()
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw RawClientTimeout() }
            return first
        }
    }

    private static func converseUnbounded(port: Int, _ steps: [RawStep],
                                          from source: String?) async throws -> (replies: [String], closed: Bool) {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let source { bootstrap = try bootstrap.bind(to: SocketAddress(ipAddress: source, port: 0)) }
        let channel = try await bootstrap
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var replies: [String] = []
            for step in steps {
                if step.pause > .zero { try await Task.sleep(for: step.pause) }
                if !step.send.isEmpty { try await outbound.write(ByteBuffer(string: step.send)) }
                var received = ""
                while !step.until(received) {
                    guard var chunk = try await iterator.next() else {
                        replies.append(received)
                        return (replies, true)
                    }
                    received += chunk.readString(length: chunk.readableBytes) ?? ""
                }
                replies.append(received)
            }
            return (replies, false)
        }
    }

    /// Whether the text holds a complete response head.
    static func hasHead(_ text: String) -> Bool { text.contains("\r\n\r\n") }
}

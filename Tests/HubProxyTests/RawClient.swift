import NIOCore
import NIOPosix

/// One step of a raw conversation: bytes to send, and when the answer is complete.
struct RawStep {
    let send: String
    let until: @Sendable (String) -> Bool
}

/// A raw TCP client for tests that need to see exact bytes (upgrades, HTTP/1.0).
enum RawClient {
    /// Connects, runs each step (send, then read until its condition holds or the peer closes)
    /// and closes. Returns what was received per step and whether the peer closed the connection.
    static func converse(port: Int, _ steps: [RawStep]) async throws -> (replies: [String], closed: Bool) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var replies: [String] = []
            for step in steps {
                try await outbound.write(ByteBuffer(string: step.send))
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

/// One SSH server: a cluster login node.
public struct SSHHost: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates a host; `port` defaults to 22.
    public init(_ host: String, port: Int = 22) {
        self.host = host
        self.port = port
    }

    /// `host`, or `[host]:port` for a port other than 22 (the known_hosts spelling).
    public var description: String {
        port == 22 ? host : "[\(host)]:\(port)"
    }
}

/// How ``SSHTransport`` reaches the login nodes.
///
/// Nothing outside this value is consulted: not `~/.ssh/config`, not the system known_hosts file,
/// not an SSH agent.
public struct SSHTransportConfiguration: Sendable {
    /// The login nodes, in order of preference: a command goes to the first one that can be reached.
    public var hosts: [SSHHost]
    /// The remote user to log in as (the hub's service account, which then uses `sudo -u`).
    public var user: String
    /// The private key in OpenSSH or PEM format (ed25519, ECDSA or RSA), without a passphrase.
    /// If `<privateKeyPath>-cert.pub` exists, it is presented as an OpenSSH certificate for the key.
    public var privateKeyPath: String
    /// The known_hosts file that pins each login node's host key. Keys are never added to it.
    public var knownHostsPath: String
    /// The only environment variable names ever sent (as channel `env` requests); others are dropped.
    /// The server must also accept them (sshd's `AcceptEnv`).
    public var allowedEnvironment: Set<String>
    /// The limit on establishing one session (TCP connect, key exchange and authentication).
    public var connectTimeout: Duration
    /// How often an idle session sends a keepalive to detect a dead connection; `nil` for never.
    public var keepalive: Duration?
    /// The first delay before reconnecting to a node after a failed attempt; it doubles per failure.
    public var reconnectInitialDelay: Duration
    /// The longest delay between reconnection attempts.
    public var reconnectMaximumDelay: Duration
    /// Called each time a session to a node is established (for metrics: sessions are meant to be reused).
    public var onSessionEstablished: (@Sendable (SSHHost) -> Void)?

    /// Creates a configuration.
    public init(
        hosts: [SSHHost],
        user: String,
        privateKeyPath: String,
        knownHostsPath: String,
        allowedEnvironment: Set<String> = [],
        connectTimeout: Duration = .seconds(10),
        keepalive: Duration? = .seconds(30),
        reconnectInitialDelay: Duration = .milliseconds(500),
        reconnectMaximumDelay: Duration = .seconds(30),
        onSessionEstablished: (@Sendable (SSHHost) -> Void)? = nil
    ) {
        self.hosts = hosts
        self.user = user
        self.privateKeyPath = privateKeyPath
        self.knownHostsPath = knownHostsPath
        self.allowedEnvironment = allowedEnvironment
        self.connectTimeout = connectTimeout
        self.keepalive = keepalive
        self.reconnectInitialDelay = reconnectInitialDelay
        self.reconnectMaximumDelay = reconnectMaximumDelay
        self.onSessionEstablished = onSessionEstablished
    }

    /// Where an OpenSSH certificate for the private key is looked for.
    public var certificatePath: String { privateKeyPath + "-cert.pub" }
}

import CLibSSH

/// One authenticated libssh session to one login node.
///
/// libssh sessions are not thread-safe: an instance is only ever used from its ``LoginNode``'s
/// serial queue. The session is disconnected and freed with the object.
final class LibSSHSession {
    /// The `ssh_session`.
    let handle: OpaquePointer
    let host: SSHHost

    private static let libraryReady: Bool = ssh_init() == SSH_OK

    /// Connects to `host`, checks its key against the pinned known_hosts file and authenticates.
    init(host: SSHHost, configuration: SSHTransportConfiguration, timeout: Duration) throws {
        guard Self.libraryReady, let handle = ssh_new() else {
            throw TransportError.connectFailed("libssh could not be initialised")
        }
        self.handle = handle
        self.host = host
        try configure(configuration)
        setTimeout(timeout)
        guard ssh_connect(handle) == SSH_OK else {
            throw TransportError.connectFailed("\(host): \(lastError)")
        }
        try verifyHostKey()
        try authenticate(configuration)
    }

    deinit {
        if ssh_is_connected(handle) != 0 {
            ssh_disconnect(handle)
        }
        ssh_free(handle)
    }

    /// Whether libssh still considers the connection alive.
    var isConnected: Bool { ssh_is_connected(handle) != 0 }

    /// libssh's message for the last error on this session.
    var lastError: String {
        guard let message = ssh_get_error(UnsafeMutableRawPointer(handle)) else { return "unknown error" }
        let text = String(cString: message)
        return text.isEmpty ? "unknown error" : text
    }

    /// The limit for each blocking libssh call on this session from now on (at least 1 ms).
    func setTimeout(_ timeout: Duration) {
        let milliseconds = max(1, Int(timeout.clampedMilliseconds))
        var seconds = milliseconds / 1000
        var microseconds = (milliseconds % 1000) * 1000
        _ = ssh_options_set(handle, SSH_OPTIONS_TIMEOUT, &seconds)
        _ = ssh_options_set(handle, SSH_OPTIONS_TIMEOUT_USEC, &microseconds)
    }

    /// Sends an OpenSSH keepalive request; returns whether the connection is still alive.
    func sendKeepalive() -> Bool {
        _ = ssh_send_keepalive(handle)
        return isConnected
    }

    private func configure(_ configuration: SSHTransportConfiguration) throws {
        // Never read ~/.ssh/config or /etc/ssh/ssh_config: everything comes from the configuration.
        var processConfig = false
        var port = UInt32(clamping: host.port)
        var verbosity = Int32(SSH_LOG_NOLOG)
        // Small request/reply exchanges per command: do not let Nagle delay them.
        var noDelay: Int32 = 1
        let statuses = [
            ssh_options_set(handle, SSH_OPTIONS_PROCESS_CONFIG, &processConfig),
            ssh_options_set(handle, SSH_OPTIONS_LOG_VERBOSITY, &verbosity),
            ssh_options_set(handle, SSH_OPTIONS_HOST, host.host),
            ssh_options_set(handle, SSH_OPTIONS_PORT, &port),
            ssh_options_set(handle, SSH_OPTIONS_NODELAY, &noDelay),
            // After the host: a "user@host" spelling must not override the configured user.
            ssh_options_set(handle, SSH_OPTIONS_USER, configuration.user),
            // Pin host keys to the configured file only; the system-wide file is never consulted.
            ssh_options_set(handle, SSH_OPTIONS_KNOWNHOSTS, configuration.knownHostsPath),
            ssh_options_set(handle, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null"),
        ]
        if statuses.contains(where: { $0 != SSH_OK }) {
            throw TransportError.connectFailed("\(host): invalid SSH options: \(lastError)")
        }
    }

    private func verifyHostKey() throws {
        let state = ssh_session_is_known_server(handle)
        switch state {
        case SSH_KNOWN_HOSTS_OK:
            return
        case SSH_KNOWN_HOSTS_CHANGED, SSH_KNOWN_HOSTS_OTHER:
            throw TransportError.hostKeyChanged(host: host.description)
        case SSH_KNOWN_HOSTS_UNKNOWN, SSH_KNOWN_HOSTS_NOT_FOUND:
            throw TransportError.hostKeyUnknown(host: host.description)
        default:
            throw TransportError.connectFailed("\(host): cannot check the host key: \(lastError)")
        }
    }

    private func authenticate(_ configuration: SSHTransportConfiguration) throws {
        let key = try SSHPrivateKey.load(
            path: configuration.privateKeyPath, certificatePath: configuration.certificatePath)
        let status = ssh_userauth_publickey(handle, nil, key.handle)
        switch status {
        case Int32(SSH_AUTH_SUCCESS.rawValue):
            return
        case Int32(SSH_AUTH_DENIED.rawValue), Int32(SSH_AUTH_PARTIAL.rawValue):
            throw TransportError.authenticationFailed(host: host.description)
        default:
            throw TransportError.connectFailed("\(host): authentication error: \(lastError)")
        }
    }
}

import Foundation
import NIOCore

/// A parsed `http://host:port[/prefix]` proxy target.
///
/// Parsed once when the route is added so the hot path never re-parses URLs.
/// IP-literal hosts are resolved to a `SocketAddress` up front so connecting needs no DNS.
struct UpstreamTarget: Sendable, Hashable {
    /// Host name or IP literal (IPv6 without brackets).
    let host: String
    let port: Int
    /// Path prefix prepended to forwarded request paths, without trailing slash ("" for none).
    let pathPrefix: String
    /// Pre-resolved address when `host` is an IP literal.
    let address: SocketAddress?
    /// The normalized target string, used to decide whether an upstream connection can be reused.
    let key: String
    /// Whether the upstream speaks TLS (`https`/`wss`: the hub API with `hub.api_tls`).
    let usesTLS: Bool

    /// Parses a target URL: `http`, `ws`, `https` or `wss`.
    init?(_ string: String) {
        var rest = Substring(string)
        var usesTLS = false
        if let range = rest.range(of: "://") {
            let scheme = rest[..<range.lowerBound].lowercased()
            guard ["http", "ws", "https", "wss"].contains(scheme) else { return nil }
            usesTLS = scheme == "https" || scheme == "wss"
            rest = rest[range.upperBound...]
        }
        self.usesTLS = usesTLS
        let authority: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            var prefix = String(rest[slash...])
            if let query = prefix.firstIndex(where: { $0 == "?" || $0 == "#" }) {
                prefix = String(prefix[..<query])
            }
            while prefix.hasSuffix("/") { prefix.removeLast() }
            self.pathPrefix = prefix
        } else {
            authority = rest
            self.pathPrefix = ""
        }
        guard let (host, port) = UpstreamTarget.splitAuthority(authority, defaultPort: usesTLS ? 443 : 80), !host.isEmpty else {
            return nil
        }
        self.host = host
        self.port = port
        self.address = try? SocketAddress(ipAddress: host, port: port)
        self.key = "\(usesTLS ? "tls|" : "")\(host)|\(port)"
    }

    private static func splitAuthority(_ authority: Substring, defaultPort: Int) -> (String, Int)? {
        var hostPart = authority
        if let at = hostPart.lastIndex(of: "@") { hostPart = hostPart[hostPart.index(after: at)...] }
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { return nil }
            let host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            let after = hostPart[hostPart.index(after: close)...]
            if after.isEmpty { return (host, defaultPort) }
            guard after.hasPrefix(":"), let port = Int(after.dropFirst()), (0...65535).contains(port)
            else { return nil }
            return (host, port)
        }
        if let colon = hostPart.lastIndex(of: ":") {
            guard let port = Int(hostPart[hostPart.index(after: colon)...]), (0...65535).contains(port)
            else { return nil }
            return (String(hostPart[..<colon]), port)
        }
        return (String(hostPart), defaultPort)
    }

    /// The value for a `Host` header addressing this target directly.
    var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == (usesTLS ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }
}

import Crypto
import Foundation

/// Per-user origins (JupyterHub's `subdomain_host`): with `hub.subdomain_host: https://hub.example.org`, alice's
/// servers live at `https://alice.hub.example.org/user/alice/…` while the hub keeps `https://hub.example.org`, so
/// that a page served by one user's server is a different origin from the hub and from every other user.
///
/// Names that are not a DNS label as they are get a stable escaped label (``label(for:)``).
public struct UserOrigins: Sendable, Equatable {
    /// `http` or `https`.
    public let scheme: String
    /// The hub's host name, lower-cased, e.g. `hub.example.org`.
    public let domain: String
    /// `:8443`, or empty for the scheme's default port.
    public let portSuffix: String

    /// Parses `scheme://host[:port]` (an optional trailing `/`, nothing else); nil when empty or malformed.
    /// The host must be a DNS name: user hosts are its subdomains.
    public init?(subdomainHost: String) {
        guard let url = URL(string: subdomainHost), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host?.lowercased(), Self.isDNSName(host), ["", "/"].contains(url.path),
              url.query == nil, url.fragment == nil, url.user == nil else { return nil }
        self.scheme = scheme
        self.domain = host
        let defaultPort = scheme == "https" ? 443 : 80
        self.portSuffix = url.port.map { $0 == defaultPort ? "" : ":\($0)" } ?? ""
    }

    /// The hub's origin, e.g. `https://hub.example.org`.
    public var hubOrigin: String { "\(scheme)://\(domain)\(portSuffix)" }

    /// Whether cookies may carry the `__Host-` prefix (which needs `Secure`).
    public var usesHTTPS: Bool { scheme == "https" }

    /// The host of a user's servers, e.g. `alice.hub.example.org`.
    public func host(forUser name: String) -> String { "\(Self.label(for: name)).\(domain)" }

    /// The origin of a user's servers, e.g. `https://alice.hub.example.org`.
    public func origin(forUser name: String) -> String { "\(scheme)://\(host(forUser: name))\(portSuffix)" }

    /// The proxy route of a server prefix under host routing: `/alice.hub.example.org/user/alice/`.
    public func routeSpec(forUser name: String, prefix: String) -> String { "/" + host(forUser: name) + prefix }

    /// Whether `host` (a `Host` or `X-Forwarded-Host` value, port allowed) names the hub itself.
    public func isHubHost(_ host: String) -> Bool { Self.hostName(host) == domain }

    /// A user name as a DNS label. A name that already is one (letters, digits and single `-` inside, at most 63
    /// characters, not all digits) stays as it is; any other becomes `u-<up to 8 of its letters and digits>--<64-bit
    /// hash>`. Plain labels never contain `--` and escaped ones always do, so two names never share a label
    /// (short of a SHA-256 collision on 64 bits).
    public static func label(for name: String) -> String {
        if isPlainLabel(name) { return name }
        let digest = SHA256.hash(data: Data(name.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        let stub = String(name.lowercased().unicodeScalars.filter(isLetterOrDigit).prefix(8).map(Character.init))
        return "u-\(stub.isEmpty ? "x" : stub)--\(digest)"
    }

    private static func isPlainLabel(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard (1...63).contains(scalars.count), !name.contains("--"), name.first != "-", name.last != "-",
              !scalars.allSatisfy({ ("0"..."9").contains($0) }) else { return false }
        return scalars.allSatisfy { isLetterOrDigit($0) || $0 == "-" }
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isDNSName(_ host: String) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let top = labels.last, !top.allSatisfy(\.isNumber) else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { isLetterOrDigit($0) || $0 == "-" }
        }
    }

    /// `Host` value without port, lower-cased.
    private static func hostName(_ host: String) -> String {
        let lowered = host.lowercased()
        return lowered.firstIndex(of: ":").map { String(lowered[..<$0]) } ?? lowered
    }
}

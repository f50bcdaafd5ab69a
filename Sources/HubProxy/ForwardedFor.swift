import NIOHTTP1

/// What the proxy tells an upstream about the client: `X-Forwarded-For`, `-Proto`, `-Host` and `-Port`.
///
/// A client's own `X-Forwarded-*` and `Forwarded` headers are lies until proven otherwise: they are replaced with
/// what the proxy saw (peer address, whether the connection is TLS, the `Host` header and its port), unless the
/// peer is a trusted proxy (`proxy.trusted_proxies`, a TLS terminator in front), whose values are kept and whose
/// address is appended to `X-Forwarded-For`.
struct ForwardedFor: Sendable {
    /// The peer's address (nil for a Unix socket).
    let clientIP: String?
    /// `https` on a TLS listener, else `http`.
    let scheme: String
    /// Whether the peer may set the headers itself.
    let trusted: Bool

    static let headerNames = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"]

    func apply(to headers: inout HTTPHeaders) {
        if trusted {
            if let clientIP {
                let existing = headers[canonicalForm: "x-forwarded-for"].map(String.init)
                headers.replaceOrAdd(name: "X-Forwarded-For", value: (existing + [clientIP]).joined(separator: ", "))
            }
            if !headers.contains(name: "x-forwarded-proto") { headers.add(name: "X-Forwarded-Proto", value: scheme) }
            setHostAndPort(&headers, keepingExisting: true)
            return
        }
        for name in Self.headerNames + ["forwarded"] where headers.contains(name: name) {
            headers.remove(name: name)
        }
        if let clientIP { headers.add(name: "X-Forwarded-For", value: clientIP) }
        headers.add(name: "X-Forwarded-Proto", value: scheme)
        setHostAndPort(&headers, keepingExisting: false)
    }

    /// `X-Forwarded-Host` is the `Host` header; `X-Forwarded-Port` its port, else the scheme's default (as
    /// node-http-proxy's `xfwd` has it, so upstreams rebuild the URL the browser used).
    private func setHostAndPort(_ headers: inout HTTPHeaders, keepingExisting: Bool) {
        guard let host = headers.first(name: "host") else { return }
        if !(keepingExisting && headers.contains(name: "x-forwarded-host")) {
            headers.add(name: "X-Forwarded-Host", value: host)
        }
        if !(keepingExisting && headers.contains(name: "x-forwarded-port")) {
            headers.add(name: "X-Forwarded-Port", value: Self.port(ofHost: host) ?? (scheme == "https" ? "443" : "80"))
        }
    }

    /// The digits after the last `:` of a `Host` value (`[::1]:8000` → `8000`, `[::1]` → nil).
    static func port(ofHost host: String) -> String? {
        guard let colon = host.lastIndex(of: ":"), !host[colon...].contains("]") else { return nil }
        let digits = host[host.index(after: colon)...]
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber) ? String(digits) : nil
    }
}

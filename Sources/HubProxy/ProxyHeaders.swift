import NIOHTTP1

/// Header rewriting for the proxy data path.
enum ProxyHeaders {
    /// Whether the request asks for a protocol upgrade (`Connection: upgrade` plus `Upgrade`).
    static func isUpgrade(_ head: HTTPRequestHead) -> Bool {
        guard head.headers.contains(name: "upgrade") else { return false }
        return head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
    }

    /// Headers that `Connection` must never name: dropping them as hop-by-hop would change the request's framing
    /// or target between the proxy and the upstream (request smuggling). Such a request is answered 400.
    static let protectedHeaders: Set<String> = ["content-length", "transfer-encoding", "host"]

    /// Whether the request's `Connection` header names a framing header (``protectedHeaders``).
    static func connectionNamesProtectedHeader(_ head: HTTPRequestHead) -> Bool {
        head.headers[canonicalForm: "connection"].contains { protectedHeaders.contains($0.lowercased()) }
    }

    /// The request head sent upstream: full original path and query (after the target's path
    /// prefix), `Host` unchanged, hop-by-hop headers removed (except for upgrades) and the
    /// `X-Forwarded-*` headers set from the connection (``ForwardedFor``).
    static func upstreamRequest(
        _ head: HTTPRequestHead, target: UpstreamTarget, isUpgrade: Bool, forwarded: ForwardedFor
    ) -> HTTPRequestHead {
        var headers = head.headers
        if !isUpgrade {
            removeHopByHop(&headers)
        }
        forwarded.apply(to: &headers)
        if head.version.minor == 0, !headers.contains(name: "host") {
            headers.add(name: "Host", value: target.hostHeader)
        }
        let uri = target.pathPrefix.isEmpty ? head.uri : target.pathPrefix + head.uri
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: uri, headers: headers)
    }

    /// The response head sent to the client. Adjusts framing for the client's HTTP version and
    /// for responses without a body, and may turn keep-alive off (close-delimited bodies).
    static func clientResponse(
        _ head: HTTPResponseHead, status: HTTPResponseStatus, clientVersion: HTTPVersion, isHead: Bool, keepAlive: inout Bool
    ) -> HTTPResponseHead {
        var headers = head.headers
        removeHopByHop(&headers)
        // Whether a body follows is decided by the upstream's status (the body comes from upstream).
        let hasBody = !isHead && head.status.code >= 200 && head.status != .noContent
            && head.status != .notModified
        let chunked = headers[canonicalForm: "transfer-encoding"].contains { $0.lowercased() == "chunked" }
        let hasLength = headers.contains(name: "content-length")
        if !hasBody {
            if chunked { headers.remove(name: "transfer-encoding") }
        } else if clientVersion.minor == 0 {
            if chunked {
                headers.remove(name: "transfer-encoding")
                keepAlive = false
            } else if !hasLength {
                keepAlive = false
            }
        } else if !chunked && !hasLength {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        }
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if clientVersion.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let version: HTTPVersion = clientVersion.minor == 0 ? .http1_0 : .http1_1
        return HTTPResponseHead(version: version, status: status, headers: headers)
    }

    /// Removes `Connection`, the headers it names, and the other hop-by-hop headers that must
    /// not be forwarded. Framing headers are left for the codecs.
    static func removeHopByHop(_ headers: inout HTTPHeaders) {
        let named = headers[canonicalForm: "connection"]
        if !named.isEmpty {
            for token in named {
                let name = String(token)
                if name.lowercased() != "close" && name.lowercased() != "keep-alive" {
                    headers.remove(name: name)
                }
            }
            headers.remove(name: "connection")
        }
        if headers.contains(name: "keep-alive") { headers.remove(name: "keep-alive") }
        if headers.contains(name: "proxy-connection") { headers.remove(name: "proxy-connection") }
        if headers.contains(name: "upgrade") { headers.remove(name: "upgrade") }
    }

    /// The request's host as a route key component for host routing: the `Host` header lower-cased, without
    /// its port. `""` when there is none (the request can then only reach the `/` route); nil when there are
    /// several, or one holds anything but letters, digits, `.`, `-` or a bracketed IPv6 literal, so that no
    /// `Host` can add path segments to the key (`alice.hub.example.org/user/alice` must not reach alice's route
    /// from another host).
    static func routingHost(_ head: HTTPRequestHead) -> String? {
        let values = head.headers[canonicalForm: "host"]
        guard values.count <= 1 else { return nil }
        guard let raw = values.first, !raw.isEmpty else { return "" }
        var host = Substring(raw.lowercased())
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isASCIIDigit)) else { return nil }
            host = host[...close]
            return host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) ? String(host) : nil
        }
        if let colon = host.firstIndex(of: ":") {
            guard host[host.index(after: colon)...].allSatisfy(\.isASCIIDigit) else { return nil }
            host = host[..<colon]
        }
        let allowed = host.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        return allowed ? String(host) : nil
    }
}

extension Character {
    /// `0`–`9` only (not other Unicode digits).
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

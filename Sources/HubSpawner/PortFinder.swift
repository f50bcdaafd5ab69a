#if canImport(Glibc)
import Glibc
#endif

/// Finds a TCP port that nothing listens on, by trying to bind it.
struct PortFinder {
    /// A free port in `range` (never 0), trying ports from a random start and wrapping around.
    static func freePort(host: String, in range: ClosedRange<Int>) -> Int? {
        let lower = max(range.lowerBound, 1)
        let upper = min(range.upperBound, 65_535)
        guard lower <= upper else { return nil }
        let count = upper - lower + 1
        let offset = Int.random(in: 0..<count)
        for step in 0..<count {
            let port = lower + (offset + step) % count
            if isFree(host: host, port: port) { return port }
        }
        return nil
    }

    /// Whether a socket can be bound to `host:port` right now (without `SO_REUSEADDR`).
    static func isFree(host: String, port: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let node: String? = host.isEmpty ? nil : host
        let status = node.withOptionalCString { getaddrinfo($0, String(port), &hints, &list) }
        guard status == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        let info = first.pointee
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bind(fd, info.ai_addr, info.ai_addrlen) == 0
    }
}

extension Optional where Wrapped == String {
    fileprivate func withOptionalCString<Result>(_ body: (UnsafePointer<CChar>?) -> Result) -> Result {
        switch self {
        case .some(let string): return string.withCString { body($0) }
        case .none: return body(nil)
        }
    }
}

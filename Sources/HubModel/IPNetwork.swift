#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or a single address), for
/// `proxy.trusted_proxies`. An IPv4 network also matches IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`),
/// which is how a dual-stack listener reports IPv4 peers.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network's address bytes (4 or 16), with the host bits cleared.
    public let bytes: [UInt8]
    /// The prefix length in bits.
    public let prefixLength: Int

    /// Parses `address` or `address/prefix`; nil when either part is malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.addressBytes(String(parts[0])) else { return nil }
        let maximum = address.count * 8
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), parts[1].allSatisfy(\.isASCII), (0...maximum).contains(parsed) else {
                return nil
            }
            length = parsed
        }
        bytes = Self.masked(address, prefixLength: length)
        prefixLength = length
    }

    /// Whether `address` (a textual IPv4 or IPv6 address) lies in the network.
    public func contains(_ address: String) -> Bool {
        guard var candidate = Self.addressBytes(address) else { return false }
        if candidate.count == 16, bytes.count == 4, candidate[0..<12] == Self.mappedPrefix[...] {
            candidate = Array(candidate[12...])
        }
        guard candidate.count == bytes.count else { return false }
        return Self.masked(candidate, prefixLength: prefixLength) == bytes
    }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) }
        guard written != nil else { return "?/\(prefixLength)" }
        let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(address)/\(prefixLength)"
    }

    private static let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]

    /// The 4 or 16 bytes of a textual address (IPv6 zone ids such as `%eth0` are ignored).
    static func addressBytes(_ text: String) -> [UInt8]? {
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    private static func masked(_ address: [UInt8], prefixLength: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let bits = min(max(prefixLength - index * 8, 0), 8)
            return bits == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
    }
}

extension Array where Element == IPNetwork {
    /// Whether any network contains `address`.
    public func containsAddress(_ address: String?) -> Bool {
        guard let address else { return false }
        return contains { $0.contains(address) }
    }
}

extension IPNetwork: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let network = IPNetwork(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an IP address or CIDR network"))
        }
        self = network
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

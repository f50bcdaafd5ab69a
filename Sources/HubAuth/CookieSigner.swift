import Crypto
import Foundation
import HubModel

/// Signs and verifies cookie values with HMAC-SHA256 over name, value and issue time.
///
/// Format: `base64url(value).unixSeconds.hexMAC`. A tampered value, a foreign secret or an
/// expired timestamp fails verification.
public struct CookieSigner: Sendable {
    let keyBytes: [UInt8]

    public init(secret: String) {
        keyBytes = Array(SHA256.hash(data: Data(("slurmhub-cookie:" + secret).utf8)))
    }

    /// A signed cookie value, issued now.
    public func sign(name: String, value: String, now: Date = Date()) -> String {
        let encoded = Base64URL.encode(Data(value.utf8))
        let issued = String(Int(now.timeIntervalSince1970))
        return "\(encoded).\(issued).\(mac(name: name, encoded: encoded, issued: issued))"
    }

    /// The original value if the signature holds and it is younger than `maxAge` seconds.
    public func verify(name: String, signed: String, maxAge: TimeInterval, now: Date = Date()) -> String? {
        let parts = signed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let issued = Int(parts[1]) else { return nil }
        let expected = mac(name: name, encoded: parts[0], issued: parts[1])
        guard Secrets.constantTimeEquals(expected, parts[2]) else { return nil }
        let age = now.timeIntervalSince1970 - TimeInterval(issued)
        guard age <= maxAge, age > -300 else { return nil }
        guard let data = Base64URL.decode(parts[0]) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    func mac(name: String, encoded: String, issued: String) -> String {
        let message = Data("\(name)|\(encoded)|\(issued)".utf8)
        return HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: keyBytes)).map { String(format: "%02x", $0) }.joined()
    }
}

/// The key never appears in logs or debug output (ServiceLifecycle logs its services' descriptions at debug level,
/// and they hold the signer).
extension CookieSigner: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "CookieSigner(key: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["key": "<redacted>"]) }
}

import Crypto
import Foundation
import HubModel

/// Proof Key for Code Exchange (RFC 7636): the hub as client makes S256 challenges; the hub as provider
/// checks verifiers against S256 or plain challenges.
public enum PKCE {
    /// A fresh `code_verifier`: 43 characters of base64url from 32 random bytes.
    public static func newVerifier() -> String { Base64URL.random(bytes: 32) }

    /// The S256 `code_challenge` of a verifier.
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// Whether `verifier` answers a stored `challenge` made with `method` (`S256`; anything else is `plain`),
    /// compared in constant time.
    public static func verify(_ verifier: String, challenge stored: String, method: String?) -> Bool {
        Secrets.constantTimeEquals(method == "S256" ? challenge(for: verifier) : verifier, stored)
    }
}

/// Base64url without padding (RFC 4648 §5), as JWTs and PKCE use it.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    /// Random bytes as base64url.
    public static func random(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return encode(Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }
}

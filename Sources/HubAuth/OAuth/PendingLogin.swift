import Foundation

/// What the hub remembers between sending the browser to the identity provider and its return:
/// kept in a short-lived signed cookie, so a callback is bound to the browser that started it.
public struct PendingLogin: Sendable, Codable, Equatable {
    /// How long a started login stays valid, in seconds.
    public static let lifetime: Double = 600

    /// The `state` sent to the provider; the callback must carry the same.
    public var state: String
    /// The OIDC `nonce` the ID token must carry.
    public var nonce: String
    /// The PKCE `code_verifier` whose S256 challenge went to the provider.
    public var codeVerifier: String
    /// The local path to land on after login.
    public var next: String?

    public init(state: String, nonce: String, codeVerifier: String, next: String?) {
        self.state = state
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.next = next
    }

    /// A fresh login with random state, nonce and verifier.
    public static func start(next: String?) -> PendingLogin {
        PendingLogin(state: Base64URL.random(bytes: 24), nonce: Base64URL.random(bytes: 24),
                     codeVerifier: PKCE.newVerifier(), next: next)
    }

    /// Compact JSON, to be signed into the cookie.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes what ``encoded()`` produced (after the cookie's signature was checked).
    public init?(encoded: String) {
        guard let decoded = try? JSONDecoder().decode(PendingLogin.self, from: Data(encoded.utf8)),
              !decoded.state.isEmpty, !decoded.codeVerifier.isEmpty else { return nil }
        self = decoded
    }
}

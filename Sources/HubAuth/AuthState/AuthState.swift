import Crypto
import Foundation

/// A user's upstream tokens from the identity provider ("auth state"), kept encrypted in the store
/// for later use (e.g. transports that act for the user with the provider's tokens).
public struct AuthState: Sendable, Codable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var refreshToken: String?
    public var idToken: String?
    public var scope: String?
    /// When the access token expires (`nil`: the provider did not say).
    public var expiresAt: Date?
    /// When these tokens were obtained.
    public var obtained: Date

    public init(accessToken: String, tokenType: String = "Bearer", refreshToken: String? = nil, idToken: String? = nil,
                scope: String? = nil, expiresAt: Date? = nil, obtained: Date = Date()) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.refreshToken = refreshToken
        self.idToken = idToken
        self.scope = scope
        self.expiresAt = expiresAt
        self.obtained = obtained
    }

    /// Whether the access token has expired, or will within `leeway` seconds.
    public func isExpired(now: Date = Date(), leeway: TimeInterval = 60) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt.timeIntervalSince(now) <= leeway
    }
}

/// Seals auth state with AES-256-GCM under a key derived (HKDF-SHA256) from a secret file in the
/// data directory. The user's name is bound as associated data, so a row moved to another user
/// does not open.
public struct AuthStateVault: Sendable {
    static let version: UInt8 = 1
    let key: SymmetricKey

    public init(secret: String) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)),
                                     salt: Data("slurmhub-auth-state".utf8), info: Data("aes-256-gcm v1".utf8),
                                     outputByteCount: 32)
    }

    /// The sealed form: a version byte, then nonce, ciphertext and tag.
    public func seal(_ state: AuthState, userName: String) throws -> Data {
        let plain = try JSONEncoder().encode(state)
        let box = try AES.GCM.seal(plain, using: key, authenticating: Self.associatedData(userName))
        guard let combined = box.combined else { throw AuthStateError("cannot seal auth state") }
        return Data([Self.version]) + combined
    }

    /// Opens what ``seal(_:userName:)`` produced; throws if the key, user or bytes differ.
    public func open(_ sealed: Data, userName: String) throws -> AuthState {
        guard sealed.first == Self.version else { throw AuthStateError("unknown auth state format") }
        let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
        let plain = try AES.GCM.open(box, using: key, authenticating: Self.associatedData(userName))
        return try JSONDecoder().decode(AuthState.self, from: plain)
    }

    static func associatedData(_ userName: String) -> Data { Data("slurmhub auth state for \(userName)".utf8) }
}

/// A problem sealing, opening or refreshing auth state.
public struct AuthStateError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

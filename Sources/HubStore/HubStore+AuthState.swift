import Foundation
import GRDB

/// A user's upstream tokens as stored: an opaque sealed box (the hub encrypts before storing).
public struct SealedAuthState: Sendable, Equatable {
    public var userName: String
    /// AES-GCM combined form (nonce, ciphertext, tag), produced and opened by the hub's auth state vault.
    public var sealed: Data
    public var updated: Date

    public init(userName: String, sealed: Data, updated: Date = Date()) {
        self.userName = userName
        self.sealed = sealed
        self.updated = updated
    }
}

extension SealedAuthState: FetchableRecord, PersistableRecord, Codable {
    public static let databaseTableName = "auth_states"
}

extension HubStore {
    /// Stores (or replaces) a user's sealed auth state. The user must exist.
    public func save(_ state: SealedAuthState) async throws {
        try await database.write { db in try state.save(db) }
    }

    /// A user's sealed auth state, if any.
    public func sealedAuthState(userName: String) async throws -> SealedAuthState? {
        try await database.read { db in try SealedAuthState.fetchOne(db, key: userName) }
    }

    /// Forgets a user's auth state (also removed with the user).
    public func deleteAuthState(userName: String) async throws {
        _ = try await database.write { db in try SealedAuthState.deleteOne(db, key: userName) }
    }
}

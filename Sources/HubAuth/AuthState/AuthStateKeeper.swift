import Foundation
import HubStore
import Logging

/// Stores users' auth state sealed in the hub's database and hands it out, refreshing expired
/// tokens once per user at a time (concurrent callers share one refresh).
public actor AuthStateKeeper {
    let store: HubStore
    let vault: AuthStateVault
    let logger: Logger
    var inFlight: [String: Task<AuthState?, any Error>] = [:]

    public init(store: HubStore, vault: AuthStateVault, logger: Logger) {
        self.store = store
        self.vault = vault
        self.logger = logger
    }

    /// Seals and stores a user's tokens (replacing earlier ones).
    public func save(_ state: AuthState, for userName: String) async throws {
        try await store.save(SealedAuthState(userName: userName, sealed: try vault.seal(state, userName: userName)))
    }

    /// The stored tokens; `nil` when there are none or they no longer open (e.g. the key file changed).
    public func load(for userName: String) async throws -> AuthState? {
        guard let row = try await store.sealedAuthState(userName: userName) else { return nil }
        do {
            return try vault.open(row.sealed, userName: userName)
        } catch {
            logger.warning("auth state of \(userName) cannot be opened (\(error)); ignoring it")
            return nil
        }
    }

    /// The stored tokens, refreshed with `refresh` first when they expired and can be refreshed.
    /// Calls for one user are serialized: a caller arriving during a refresh gets its result.
    public func fresh(for userName: String,
                      refresh: @escaping @Sendable (AuthState) async throws -> AuthState) async throws -> AuthState? {
        if let running = inFlight[userName] { return try await running.value }
        let task = Task { () async throws -> AuthState? in
            guard let state = try await self.load(for: userName) else { return nil }
            guard state.isExpired(), state.refreshToken != nil else { return state }
            let renewed = try await refresh(state)
            try await self.save(renewed, for: userName)
            return renewed
        }
        inFlight[userName] = task
        defer { inFlight[userName] = nil }
        return try await task.value
    }
}

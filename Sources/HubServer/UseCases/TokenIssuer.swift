import Foundation
import HubModel
import HubStore

/// A user's API tokens as callers see them: listing, issuing, finding and revoking, with the scopes the
/// REST API requires (`read:tokens`, `tokens`). The API and the token page both go through this.
struct TokenIssuer: Sendable {
    let store: HubStore

    /// What a new token should be.
    struct TokenRequest: Sendable {
        var note = "Requested via api"
        var expiresIn: Int?
        var scopes: [String] = []
        var roles: [String] = []
    }

    /// The user's unexpired tokens (scope `read:tokens`).
    func tokens(as principal: Principal, user: User) async throws -> [TokenRecord] {
        try principal.require("read:tokens", onUser: user.name)
        return try await store.tokens(ofUser: user.name).filter { !$0.isExpired() }
    }

    /// Issues a token (scope `tokens`) holding no more than its owner nor the requester; returns the stored
    /// record and the token itself (shown once, stored only as a hash).
    func issue(as principal: Principal, user: User, _ request: TokenRequest) async throws -> (record: TokenRecord, token: String) {
        try principal.require("tokens", onUser: user.name)
        guard request.note.count <= 1000 else { throw HubError.badRequest("note is too long") }
        var expiresAt: Date?
        if let seconds = request.expiresIn {
            guard seconds > 0 else { throw HubError.badRequest("expires_in must be a positive integer") }
            expiresAt = Date().addingTimeInterval(TimeInterval(seconds))
        }
        var scopes = request.scopes
        for role in request.roles {
            guard let granted = ScopeSet.roles[role] else { throw HubError.badRequest("Unknown role \(UsernamePolicy.quoted(role))") }
            scopes += granted
        }
        let unknown = ScopeSet.unknown(in: scopes)
        guard unknown.isEmpty else { throw HubError.badRequest("Unknown scopes: \(unknown.joined(separator: ", "))") }
        let owner = user.roleScopes
        if !scopes.isEmpty {
            let requested = ScopeSet.expand(scopes, ownerName: user.name, ownerScopes: owner)
            let granted = requested.intersected(withOwner: owner).intersected(withOwner: principal.scopes)
            guard granted.scopes == requested.scopes else {
                throw HubError.forbidden("Not assigning requested scopes \(requested.scopes.subtracting(granted.scopes).sorted()) not held by \(principal.name)")
            }
        }
        let token = Secrets.newToken()
        let record = try await store.insert(TokenRecord(
            hash: Secrets.hash(token), userName: user.name, scopes: scopes.isEmpty ? ["inherit"] : scopes,
            note: request.note, expiresAt: expiresAt))
        return (record, token)
    }

    /// A token of `user` by its public id (`a<number>`), if `principal` holds `scope` on the user.
    func find(as principal: Principal, user: User, id raw: String, scope: String) async throws -> TokenRecord {
        try principal.require(scope, onUser: user.name)
        guard raw.hasPrefix("a"), let id = Int64(raw.dropFirst()), let token = try await store.token(id: id),
              token.userName == user.name else {
            throw HubError.notFound("No such token: \(UsernamePolicy.quoted(raw))")
        }
        return token
    }

    /// Revokes a token found with scope `tokens` (an OAuth token: every token of its client).
    func revoke(_ token: TokenRecord) async throws {
        if let client = token.oauthClientID {
            try await store.deleteTokens(oauthClientID: client)
        } else if let id = token.id {
            try await store.deleteToken(id: id)
        }
    }
}

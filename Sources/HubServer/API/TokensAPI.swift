import Foundation
import HubModel
import Hummingbird

/// `/hub/api/users/{name}/tokens[/{id}]`.
struct TokensAPI {
    let components: HubComponents

    func register(on router: Router<HubRequestContext>) {
        router.get("/hub/api/users/:name/tokens", use: list)
        router.post("/hub/api/users/:name/tokens", use: create)
        router.get("/hub/api/users/:name/tokens/:id", use: get)
        router.delete("/hub/api/users/:name/tokens/:id", use: delete)
    }

    @Sendable func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try await components.requirePrincipal(request)
        let user = try await components.existingUser(try context.parameters.require("name"))
        let tokens = try await tokens(as: principal, user: user)
        return JSONResponse.make(.object(["api_tokens": .array(tokens.map(ModelBuilder.token))]))
    }

    /// The user's unexpired tokens (scope `read:tokens`); the token page lists these.
    func tokens(as principal: Principal, user: User) async throws -> [TokenRecord] {
        guard principal.scopes.allows("read:tokens", user: user.name) else { throw APIError(.forbidden, "Action requires read:tokens") }
        return try await components.store.tokens(ofUser: user.name).filter { !$0.isExpired() }
    }

    @Sendable func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try await components.requirePrincipal(request)
        let user = try await components.existingUser(try context.parameters.require("name"))
        let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue ?? [:]
        return JSONResponse.make(try await create(as: principal, user: user, body: body), status: .created)
    }

    /// Issues a token from a request body (`note`, `expires_in`, `scopes`, `roles`; scope `tokens`):
    /// the token model with the token itself. The token page posts the same body.
    func create(as principal: Principal, user: User, body: [String: JSONValue]) async throws -> JSONValue {
        guard principal.scopes.allows("tokens", user: user.name) else { throw APIError(.forbidden, "Action requires tokens") }
        let note = body["note"]?.stringValue ?? "Requested via api"
        guard note.count <= 1000 else { throw APIError.badRequest("note is too long") }
        var expiresAt: Date?
        if let raw = body["expires_in"], raw != .null {
            guard let seconds = raw.intValue, seconds > 0 else { throw APIError.badRequest("expires_in must be a positive integer") }
            expiresAt = Date().addingTimeInterval(TimeInterval(seconds))
        }
        var scopes: [String] = []
        if case .array(let raw)? = body["scopes"] {
            scopes = try raw.map { value in
                guard let text = value.stringValue else { throw APIError.badRequest("scopes must be strings") }
                return text
            }
        }
        var roles: [String] = []
        if case .array(let list)? = body["roles"] { roles = list.compactMap(\.stringValue) }
        for role in roles {
            guard let granted = ScopeSet.roles[role] else { throw APIError.badRequest("Unknown role \(UsernamePolicy.quoted(role))") }
            scopes += granted
        }
        let unknown = ScopeSet.unknown(in: scopes)
        guard unknown.isEmpty else { throw APIError.badRequest("Unknown scopes: \(unknown.joined(separator: ", "))") }
        // A token cannot hold more than its owner, nor more than the requester.
        let owner = components.ownerScopes(of: user)
        if !scopes.isEmpty {
            let requested = ScopeSet.expand(scopes, ownerName: user.name, ownerScopes: owner)
            let granted = requested.intersected(withOwner: owner).intersected(withOwner: principal.scopes)
            guard granted.scopes == requested.scopes else {
                throw APIError(.forbidden, "Not assigning requested scopes \(requested.scopes.subtracting(granted.scopes).sorted()) not held by \(principal.name)")
            }
        }
        let token = Secrets.newToken()
        let record = try await components.store.insert(TokenRecord(
            hash: Secrets.hash(token), userName: user.name, scopes: scopes.isEmpty ? ["inherit"] : scopes,
            note: note, expiresAt: expiresAt))
        guard case .object(var model) = ModelBuilder.token(record) else { throw APIError(.internalServerError, "token model") }
        model["token"] = .string(token)
        return .object(model)
    }

    func find(_ request: Request, _ context: HubRequestContext, scope: String) async throws -> TokenRecord {
        let principal = try await components.requirePrincipal(request)
        let user = try await components.existingUser(try context.parameters.require("name"))
        return try await find(as: principal, user: user, id: try context.parameters.require("id"), scope: scope)
    }

    /// A token of `user` by its public id (`a<number>`), if `principal` holds `scope` on the user.
    func find(as principal: Principal, user: User, id raw: String, scope: String) async throws -> TokenRecord {
        guard principal.scopes.allows(scope, user: user.name) else { throw APIError(.forbidden, "Action requires \(scope)") }
        guard raw.hasPrefix("a"), let id = Int64(raw.dropFirst()), let token = try await components.store.token(id: id),
              token.userName == user.name else {
            throw APIError.notFound("No such token: \(UsernamePolicy.quoted(raw))")
        }
        return token
    }

    @Sendable func get(_ request: Request, context: HubRequestContext) async throws -> Response {
        JSONResponse.make(ModelBuilder.token(try await find(request, context, scope: "read:tokens")))
    }

    @Sendable func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await revoke(try await find(request, context, scope: "tokens"))
        return JSONResponse.empty(.noContent)
    }

    /// Revokes a token found with scope `tokens` (an OAuth token: every token of its client).
    func revoke(_ token: TokenRecord) async throws {
        if let client = token.oauthClientID {
            try await components.store.deleteTokens(oauthClientID: client)
        } else if let id = token.id {
            try await components.store.deleteToken(id: id)
        }
    }
}

import Foundation
import HubConfig
import HubModel
import Hummingbird

/// `/hub/api/users/{name}/tokens[/{id}]`; ``TokenIssuer`` decides.
struct TokensAPI {
    let components: HubComponents

    func register(on router: RouterGroup<HubRequestContext>) {
        router.get("/hub/api/users/:name/tokens", use: list)
        router.post("/hub/api/users/:name/tokens", use: create)
        router.get("/hub/api/users/:name/tokens/:id", use: get)
        router.delete("/hub/api/users/:name/tokens/:id", use: delete)
    }

    @Sendable func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let user = try await components.users.existing(try context.parameters.require("name"))
        let tokens = try await components.tokens.tokens(as: principal, user: user)
        return JSONResponse.make(.object(["api_tokens": .array(tokens.map(ModelBuilder.token))]))
    }

    /// `note`, `expires_in`, `scopes`, `roles` from the body; the model with the token itself.
    @Sendable func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let user = try await components.users.existing(try context.parameters.require("name"))
        try principal.require("tokens", onUser: user.name)
        let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue ?? [:]
        let issued = try await components.tokens.issue(as: principal, user: user, try Self.tokenRequest(body))
        guard case .object(var model) = ModelBuilder.token(issued.record) else { throw HubError.failed("token model") }
        model["token"] = .string(issued.token)
        return JSONResponse.make(.object(model), status: .created)
    }

    static func tokenRequest(_ body: [String: JSONValue]) throws -> TokenIssuer.TokenRequest {
        var request = TokenIssuer.TokenRequest()
        request.note = body["note"]?.stringValue ?? request.note
        if let raw = body["expires_in"], raw != .null {
            guard let seconds = raw.intValue else { throw HubError.badRequest("expires_in must be a positive integer") }
            request.expiresIn = seconds
        }
        if case .array(let raw)? = body["scopes"] {
            request.scopes = try raw.map { value in
                guard let text = value.stringValue else { throw HubError.badRequest("scopes must be strings") }
                return text
            }
        }
        if case .array(let list)? = body["roles"] { request.roles = list.compactMap(\.stringValue) }
        return request
    }

    func find(_ request: Request, _ context: HubRequestContext, scope: String) async throws -> TokenRecord {
        let principal = try context.requirePrincipal()
        let user = try await components.users.existing(try context.parameters.require("name"))
        return try await components.tokens.find(as: principal, user: user, id: try context.parameters.require("id"), scope: scope)
    }

    @Sendable func get(_ request: Request, context: HubRequestContext) async throws -> Response {
        JSONResponse.make(ModelBuilder.token(try await find(request, context, scope: "read:tokens")))
    }

    @Sendable func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await components.tokens.revoke(try await find(request, context, scope: "tokens"))
        return JSONResponse.empty(.noContent)
    }
}

import Foundation
import HubModel
import Hummingbird

/// `/hub/token`: the user's API tokens; create one (shown once) and revoke any. Creating and revoking
/// go through ``TokenIssuer`` with the REST API's scopes (`tokens`, `read:tokens`).
struct TokenPages {
    let components: HubComponents

    /// Lifetimes offered for new tokens, in seconds (0: never expires).
    static let lifetimes: [(seconds: Int, label: String)] = [
        (3600, "1 hour"), (86400, "1 day"), (7 * 86400, "1 week"), (30 * 86400, "30 days"), (0, "Never"),
    ]

    func register(on router: RouterGroup<HubRequestContext>) {
        router.get("/hub/token", use: show)
        router.post("/hub/token", use: create)
        router.post("/hub/token/:id/revoke", use: revoke)
    }

    @Sendable func show(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let principal = try context.pagePrincipal(), let user = principal.user else {
            return HubComponents.loginRedirect(request)
        }
        return try await render(request, principal, user)
    }

    @Sendable func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await request.decodeForm()
        guard let principal = try context.pagePrincipal(), let user = principal.user else {
            return HubComponents.loginRedirect(request)
        }
        var wanted = TokenIssuer.TokenRequest(note: form["note"].flatMap { $0.isEmpty ? nil : $0 } ?? "Requested via token page")
        if let seconds = Int(form["expires_in"] ?? ""), seconds > 0 { wanted.expiresIn = seconds }
        wanted.scopes = (form["scopes"] ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        do {
            let issued = try await components.tokens.issue(as: principal, user: user, wanted)
            return try await render(request, principal, user, extra: [
                "new_token": issued.token, "new_token_id": issued.record.publicID,
            ])
        } catch let error as HubError where error.status == .badRequest || error.status == .forbidden {
            return try await render(request, principal, user, extra: ["error": error.message, "note": form["note"] ?? "",
                                                                       "scopes": form["scopes"] ?? ""],
                                    status: error.status)
        }
    }

    @Sendable func revoke(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let principal = try context.pagePrincipal(), let user = principal.user else {
            return HubComponents.loginRedirect(request)
        }
        let token = try await components.tokens.find(as: principal, user: user, id: try context.parameters.require("id"), scope: "tokens")
        try await components.tokens.revoke(token)
        return Response.redirect(to: "/hub/token", type: .normal)
    }

    func render(_ request: Request, _ principal: Principal, _ user: User, extra: [String: Any] = [:],
                status: HTTPResponse.Status = .ok) async throws -> Response {
        let tokens = try await components.tokens.tokens(as: principal, user: user)
            .sorted { $0.created > $1.created }
        let rows: [[String: Any]] = tokens.map { token in
            [
                "id": token.publicID, "note": token.note,
                "kind": token.oauthClientID.map { "Authorized application (\($0))" } ?? "API token",
                "scopes": token.scopes.joined(separator: " "),
                "created": PagePaths.time(token.created), "last_activity": PagePaths.time(token.lastActivity),
                "expires_at": token.expiresAt.map { PagePaths.time($0) } ?? "never",
                "revoke_url": "/hub/token/\(PathQuoting.quote(token.publicID))/revoke",
            ]
        }
        var values: [String: Any] = [
            "tokens": rows, "has_tokens": !rows.isEmpty,
            "lifetimes": Self.lifetimes.map { ["seconds": $0.seconds, "label": $0.label, "selected": $0.seconds == 30 * 86400] },
        ]
        values.merge(extra) { _, new in new }
        return components.page(request, "token", title: "Tokens", user: user, values: values, status: status)
    }
}

import Foundation
import HubModel
import Hummingbird

/// `/hub/admin` (scope `admin-ui`): every user with their servers, searchable by name prefix and paged;
/// stop any server (through `/hub/stop/…`), add and remove users. Listing, adding and removing go
/// through ``UserDirectory`` with the REST API's scopes (`list:users`, `admin:users`, `delete:users`).
struct AdminPages {
    let components: HubComponents
    static let pageSize = 50

    func register(on router: RouterGroup<HubRequestContext>) {
        router.get("/hub/admin", use: show)
        router.post("/hub/admin/users", use: addUsers)
        router.post("/hub/admin/users/:name/delete", use: deleteUser)
    }

    /// The caller, if they may see the admin page (else 403).
    func admin(_ context: HubRequestContext) throws -> Principal? {
        guard let principal = try context.pagePrincipal() else { return nil }
        guard principal.scopes.hasUnfiltered("admin-ui") else {
            throw HubError.forbidden("The admin page is for administrators only.")
        }
        return principal
    }

    @Sendable func show(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let principal = try admin(context) else { return HubComponents.loginRedirect(request) }
        let query = request.uri.queryParameters
        var parameters = UserQuery(nameFilter: query["name_filter"].map(String.init) ?? "", sort: "name")
        parameters.offset = try UserQuery.count(query["offset"], name: "offset") ?? 0
        parameters.limit = max(1, try UserQuery.count(query["limit"], name: "limit") ?? Self.pageSize)
        var notice: String?
        switch query["done"] {
        case "added": notice = "Users added."
        case "deleted": notice = "User deleted."
        default: notice = nil
        }
        return try await render(request, principal, parameters, extra: notice.map { ["notice": $0] } ?? [:])
    }

    @Sendable func addUsers(_ request: Request, context: HubRequestContext) async throws -> Response {
        let form = try await request.decodeForm()
        guard let principal = try admin(context) else { return HubComponents.loginRedirect(request) }
        let names = (form["usernames"] ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        do {
            _ = try await components.users.create(as: principal, names: names, admin: form["admin"] == "on")
        } catch let error as HubError where error.status == .badRequest || error.status == .conflict {
            return try await render(request, principal, UserQuery(sort: "name"),
                                    extra: ["error": error.message, "usernames": form["usernames"] ?? ""], status: error.status)
        } catch let error as NameError {
            return try await render(request, principal, UserQuery(sort: "name"),
                                    extra: ["error": error.message, "usernames": form["usernames"] ?? ""], status: .badRequest)
        }
        return Response.redirect(to: "/hub/admin?done=added", type: .normal)
    }

    @Sendable func deleteUser(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let principal = try admin(context) else { return HubComponents.loginRedirect(request) }
        let user = try await components.users.existing(try context.parameters.require("name"))
        try await components.users.delete(as: principal, user: user)
        return Response.redirect(to: "/hub/admin?done=deleted", type: .normal)
    }

    func render(_ request: Request, _ principal: Principal, _ parameters: UserQuery, extra: [String: Any] = [:],
                status: HTTPResponse.Status = .ok) async throws -> Response {
        let selection = try await components.users.select(as: principal, parameters)
        let here = Self.url(selection.query, offset: selection.query.offset)
        let users: [[String: Any]] = selection.users.map { user in
            let records = Dictionary((selection.records[user.name] ?? []).map { ($0.name, $0) }) { first, _ in first }
            let lifecycles = selection.lifecycles[user.name] ?? [:]
            let servers: [[String: Any]] = Set(records.keys).union(lifecycles.keys).sorted().map { name in
                let lifecycle = lifecycles[name] ?? .stopped
                return [
                    "display_name": name.isEmpty ? "default" : name, "status": lifecycle.label,
                    "status_class": ServerPages.statusClass(lifecycle), "active": lifecycle.active,
                    "ready": lifecycle.ready, "url": components.serverURLs.url(user: user.name, server: name),
                    "stop_url": PagePaths.stop(user: user.name, server: name),
                    "last_activity": PagePaths.time(records[name]?.lastActivity),
                ]
            }
            return [
                "name": user.name, "admin": user.admin, "servers": servers, "has_servers": !servers.isEmpty,
                "last_activity": PagePaths.time(user.lastActivity), "is_me": user.name == principal.name,
                "delete_url": "/hub/admin/users/\(PathQuoting.quote(user.name))/delete",
            ]
        }
        let query = selection.query
        var values: [String: Any] = [
            "users": users, "total": selection.total, "has_users": !users.isEmpty, "name_filter": query.nameFilter, "here": here,
            "first": selection.total == 0 ? 0 : query.offset + 1, "last": query.offset + selection.users.count,
        ]
        if query.offset > 0 { values["previous_url"] = Self.url(query, offset: max(0, query.offset - query.limit)) }
        if query.offset + query.limit < selection.total { values["next_url"] = Self.url(query, offset: query.offset + query.limit) }
        values.merge(extra) { _, new in new }
        return components.page(request, "admin", title: "Admin", user: principal.user, values: values, status: status)
    }

    /// This page with the same search at another offset.
    static func url(_ query: UserQuery, offset: Int) -> String {
        var parameters: [String] = []
        if !query.nameFilter.isEmpty { parameters.append("name_filter=" + PathQuoting.quote(query.nameFilter)) }
        if offset > 0 { parameters.append("offset=\(offset)") }
        if query.limit != pageSize { parameters.append("limit=\(query.limit)") }
        return "/hub/admin" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }
}

import Foundation
import HTTPTypes
import HubConfig
import HubModel
import Hummingbird

/// `/hub/api/users…`: list, create, read, modify, delete users, and activity reports.
struct UsersAPI {
    let components: HubComponents

    func register(on router: RouterGroup<HubRequestContext>) {
        router.get("/hub/api/users", use: list)
        router.post("/hub/api/users", use: createMany)
        router.get("/hub/api/users/:name", use: get)
        router.post("/hub/api/users/:name", use: createOne)
        router.patch("/hub/api/users/:name", use: modify)
        router.delete("/hub/api/users/:name", use: delete)
        router.post("/hub/api/users/:name/activity", use: activity)
    }

    @Sendable func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        let paginated = request.headers[.accept]?.contains("application/jupyterhub-pagination+json") ?? false
        let selection = try await components.users.select(as: principal, UserQuery(
            state: query["state"].map(String.init) ?? "",
            offset: try UserQuery.count(query["offset"], name: "offset") ?? 0,
            limit: try UserQuery.count(query["limit"], name: "limit") ?? (paginated ? 50 : UserQuery.maxLimit),
            nameFilter: query["name_filter"].map(String.init) ?? "",
            sort: query["sort"].map(String.init) ?? "id"))
        let (offset, limit, total) = (selection.query.offset, selection.query.limit, selection.total)
        let includeStopped = ["1", "true", "yes"].contains(query["include_stopped_servers"].map(String.init) ?? "")
        let builder = components.models(for: principal)
        let items: [JSONValue] = selection.users.compactMap { user in
            builder.user(user, records: selection.records[user.name] ?? [], lifecycles: selection.lifecycles[user.name] ?? [:],
                         includeStopped: includeStopped)
        }
        guard paginated else { return JSONResponse.make(.array(items)) }
        var next: JSONValue = .null
        if offset + limit < total {
            var params = query.map { ($0.key, $0.value) }.filter { $0.0 != "offset" && $0.0 != "limit" }
                .map { "\($0.0)=\($0.1)" }
            params += ["offset=\(offset + limit)", "limit=\(limit)"]
            let url = HubURLs.absoluteBase(components.config) + request.uri.path + "?" + params.joined(separator: "&")
            next = .object(["offset": .number(Double(offset + limit)), "limit": .number(Double(limit)), "url": .string(url)])
        }
        return JSONResponse.make(.object([
            "items": .array(items),
            "_pagination": .object([
                "offset": .number(Double(offset)), "limit": .number(Double(limit)),
                "total": .number(Double(total)), "next": next,
            ]),
        ]))
    }

    /// `{"usernames": [...], "admin": bool}`: all names checked first, existing ones skipped.
    @Sendable func createMany(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try components.users.requireAdmin(principal)
        guard let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue,
              case .array(let rawNames)? = body["usernames"] else {
            throw HubError.badRequest("Must specify at least one user to create")
        }
        let names = try rawNames.map { raw in
            guard let text = raw.stringValue else { throw HubError.badRequest("usernames must be strings") }
            return text
        }
        let created = try await components.users.create(as: principal, names: names, admin: body["admin"] == .bool(true))
        let builder = components.models(for: principal)
        return JSONResponse.make(.array(created.compactMap { builder.user($0, records: [], lifecycles: [:]) }), status: .created)
    }

    @Sendable func get(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let user = try await components.users.existing(try context.parameters.require("name"))
        let builder = components.models(for: principal)
        let records = try await components.users.servers(of: user)
        let include = ["1", "true"].contains(request.uri.queryParameters["include_stopped_servers"].map(String.init) ?? "")
        guard let model = builder.user(user, records: records, lifecycles: await components.hub.lifecycles(ofUser: user.name),
                                       includeStopped: include) else {
            throw HubError.notFound("No such user: \(user.name)")
        }
        return JSONResponse.make(model)
    }

    @Sendable func createOne(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try components.users.requireAdmin(principal)
        let rawName = try context.parameters.require("name")
        let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue ?? [:]
        let user = try await components.users.createOne(as: principal, rawName: rawName, admin: body["admin"] == .bool(true))
        let builder = components.models(for: principal)
        return JSONResponse.make(builder.user(user, records: [], lifecycles: [:]) ?? .null, status: .created)
    }

    @Sendable func modify(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let user = try await components.users.existing(try context.parameters.require("name"))
        try principal.require("admin:users", onUser: user.name)
        guard let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue else {
            throw HubError.badRequest("Request body must be a JSON object")
        }
        for key in body.keys where !["name", "admin", "groups", "roles", "auth_state"].contains(key) {
            throw HubError.badRequest("Unsupported key \(UsernamePolicy.quoted(key))")
        }
        var admin: Bool?
        if case .bool(let value)? = body["admin"] { admin = value }
        var name: String?
        if let rawName = body["name"] {
            guard let text = rawName.stringValue else { throw HubError.badRequest("name must be a string") }
            name = text
        }
        let changed = try await components.users.modify(as: principal, user: user, admin: admin, rawName: name)
        let builder = components.models(for: principal)
        return JSONResponse.make(builder.user(changed, records: [], lifecycles: [:]) ?? .null)
    }

    @Sendable func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await components.users.delete(as: principal, user: try await components.users.existing(try context.parameters.require("name")))
        return JSONResponse.empty(.noContent)
    }

    /// Activity reports from single-user servers: `{"last_activity": ..., "servers": {name: {"last_activity": ...}}}`.
    @Sendable func activity(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let user = try await components.users.existing(try context.parameters.require("name"))
        try principal.require("users:activity", onUser: user.name)
        guard let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue else {
            throw HubError.badRequest("Request body must be a JSON object")
        }
        let overall = try body["last_activity"].map { try Self.activityDate($0) }
        var servers: [String: Date] = [:]
        if let raw = body["servers"] {
            guard let map = raw.objectValue else { throw HubError.badRequest("servers must be a dict") }
            for (name, value) in map {
                guard let date = value.objectValue?["last_activity"] else {
                    throw HubError.badRequest("servers.\(name).last_activity is required")
                }
                servers[name] = try Self.activityDate(date)
            }
        }
        try await components.users.recordActivity(as: principal, user: user, overall: overall, servers: servers)
        return JSONResponse.empty(.ok)
    }

    static func activityDate(_ value: JSONValue) throws -> Date {
        guard let text = value.stringValue, let date = Timestamp.parse(text) else {
            throw HubError.badRequest("last_activity must be an ISO8601 timestamp")
        }
        guard date.timeIntervalSinceNow < 59 * 60 else { throw HubError.badRequest("last_activity is in the future") }
        return date
    }
}

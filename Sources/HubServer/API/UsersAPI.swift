import Foundation
import HubModel
import HTTPTypes
import Hummingbird

/// `/hub/api/users…`: list, create, read, modify, delete users, and activity reports.
struct UsersAPI {
    let components: HubComponents

    func register(on router: Router<HubRequestContext>) {
        router.get("/hub/api/users", use: list)
        router.post("/hub/api/users", use: createMany)
        router.get("/hub/api/users/:name", use: get)
        router.post("/hub/api/users/:name", use: createOne)
        router.patch("/hub/api/users/:name", use: modify)
        router.delete("/hub/api/users/:name", use: delete)
        router.post("/hub/api/users/:name/activity", use: activity)
    }

    @Sendable func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try await components.requirePrincipal(request)
        let query = request.uri.queryParameters
        let paginated = request.headers[.accept]?.contains("application/jupyterhub-pagination+json") ?? false
        let selection = try await select(as: principal, UserQuery(
            state: query["state"].map(String.init) ?? "",
            offset: try Self.integer(query["offset"], name: "offset") ?? 0,
            limit: try Self.integer(query["limit"], name: "limit") ?? (paginated ? 50 : UserQuery.maxLimit),
            nameFilter: query["name_filter"].map(String.init) ?? "",
            sort: query["sort"].map(String.init) ?? "id"))
        let (offset, limit, total) = (selection.query.offset, selection.query.limit, selection.total)
        let includeStopped = ["1", "true", "yes"].contains(query["include_stopped_servers"].map(String.init) ?? "")
        let builder = ModelBuilder(principal: principal, publicURL: components.config.hub.publicURL)
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
            let url = Self.absoluteURL(request, path: request.uri.path) + "?" + params.joined(separator: "&")
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

    /// The parameters of `GET /hub/api/users` (the admin page asks the same).
    struct UserQuery: Sendable {
        static let maxLimit = 200
        var state = ""
        var offset = 0
        var limit = 50
        var nameFilter = ""
        var sort = "id"
    }

    /// One page of users the caller may list (scope `list:users`), with their servers.
    struct UserSelection: Sendable {
        /// With `limit` capped.
        var query: UserQuery
        var users: [User]
        /// Users matching before paging.
        var total: Int
        var records: [String: [ServerRecord]]
        var lifecycles: [String: [String: ServerLifecycle]]
    }

    func select(as principal: Principal, _ query: UserQuery) async throws -> UserSelection {
        guard principal.scopes.hasAny("list:users") else {
            throw APIError(.forbidden, "Action is not authorized with current scopes; requires any of [list:users]")
        }
        guard ["", "active", "ready", "inactive"].contains(query.state) else {
            throw APIError.badRequest("Unrecognized state filter: \(UsernamePolicy.quoted(query.state)). Use one of active, ready, inactive")
        }
        var query = query
        query.limit = min(query.limit, UserQuery.maxLimit)
        let lifecycles = await components.hub.lifecyclesByUser()
        let records = Dictionary(grouping: try await components.store.allServers(), by: \.userName)
        var users = try await components.store.allUsers().filter { user in
            guard principal.scopes.allows("list:users", user: user.name) else { return false }
            if !query.nameFilter.isEmpty, !user.name.hasPrefix(query.nameFilter) { return false }
            let mine = (lifecycles[user.name] ?? [:]).values
            switch query.state {
            case "active": return mine.contains { $0.active }
            case "ready": return mine.contains { $0.ready }
            case "inactive": return !mine.contains { $0.active }
            default: return true
            }
        }
        try Self.sort(&users, by: query.sort)
        return UserSelection(query: query, users: Array(users.dropFirst(query.offset).prefix(query.limit)),
                             total: users.count, records: records, lifecycles: lifecycles)
    }

    static func integer(_ raw: Substring?, name: String) throws -> Int? {
        guard let raw else { return nil }
        guard let value = Int(raw), value >= 0 else { throw APIError.badRequest("\(name) must be a non-negative integer") }
        return value
    }

    static func sort(_ users: inout [User], by key: String) throws {
        let descending = key.hasPrefix("-")
        let field = descending ? String(key.dropFirst()) : key
        switch field {
        case "id": users.sort { ($0.id ?? 0) < ($1.id ?? 0) }
        case "name": users.sort { $0.name < $1.name }
        case "last_activity": users.sort { ($0.lastActivity ?? .distantPast) < ($1.lastActivity ?? .distantPast) }
        default: throw APIError.badRequest("sort must be one of id, name, last_activity (optionally prefixed with -)")
        }
        if descending { users.reverse() }
    }

    /// Absolute URL of a path on the host the request was addressed to.
    static func absoluteURL(_ request: Request, path: String) -> String {
        let proto = request.headers[.xForwardedProto]?.split(separator: ",").first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "http"
        let host = request.headers[.xForwardedHost] ?? request.head.authority ?? "localhost"
        return "\(proto)://\(host)\(path)"
    }

    @Sendable func createMany(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try await components.requirePrincipal(request)
        guard principal.scopes.hasUnfiltered("admin:users") else { throw APIError(.forbidden, "Action requires admin:users") }
        guard let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue else {
            throw APIError.badRequest("Must specify at least one user to create")
        }
        let created = try await create(as: principal, body: body)
        let builder = ModelBuilder(principal: principal, publicURL: components.config.hub.publicURL)
        return JSONResponse.make(.array(created.compactMap { builder.user($0, records: [], lifecycles: [:]) }), status: .created)
    }

    /// Creates users from a `POST /hub/api/users` body (`usernames`, `admin`; scope `admin:users`), all or none
    /// checked first; the admin page posts the same body.
    func create(as principal: Principal, body: [String: JSONValue]) async throws -> [User] {
        guard principal.scopes.hasUnfiltered("admin:users") else { throw APIError(.forbidden, "Action requires admin:users") }
        guard case .array(let rawNames)? = body["usernames"] else {
            throw APIError.badRequest("Must specify at least one user to create")
        }
        let admin = body["admin"] == .bool(true)
        var names: [String] = []
        for raw in rawNames {
            guard let text = raw.stringValue else { throw APIError.badRequest("usernames must be strings") }
            names.append(try components.policy.normalize(text))
        }
        guard !names.isEmpty else { throw APIError.badRequest("Must specify at least one user to create") }
        let created = try await components.store.insertMissing(Set(names).sorted().map { User(name: $0, admin: admin) })
        guard !created.isEmpty else { throw APIError(.conflict, "All \(names.count) users already exist") }
        return created
    }

    @Sendable func get(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try await components.requirePrincipal(request)
        let user = try await components.existingUser(try context.parameters.require("name"))
        let builder = ModelBuilder(principal: principal, publicURL: components.config.hub.publicURL)
        let records = try await components.store.allServers().filter { $0.userName == user.name }
        let include = ["1", "true"].contains(request.uri.queryParameters["include_stopped_servers"].map(String.init) ?? "")
        guard let model = builder.user(user, records: records, lifecycles: await components.hub.lifecycles(ofUser: user.name),
                                       includeStopped: include) else {
            throw APIError.notFound("No such user: \(user.name)")
        }
        return JSONResponse.make(model)
    }

    @Sendable func createOne(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try await components.requirePrincipal(request)
        guard principal.scopes.hasUnfiltered("admin:users") else { throw APIError(.forbidden, "Action requires admin:users") }
        let name = try components.policy.normalize(try context.parameters.require("name").removingPercentEncoding ?? "")
        let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue ?? [:]
        guard try await components.store.user(named: name) == nil else { throw APIError(.conflict, "User \(name) already exists") }
        let user = try await components.store.insert(User(name: name, admin: body["admin"] == .bool(true)))
        let builder = ModelBuilder(principal: principal, publicURL: components.config.hub.publicURL)
        return JSONResponse.make(builder.user(user, records: [], lifecycles: [:]) ?? .null, status: .created)
    }

    @Sendable func modify(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try await components.requirePrincipal(request)
        var user = try await components.existingUser(try context.parameters.require("name"))
        guard principal.scopes.allows("admin:users", user: user.name) else { throw APIError(.forbidden, "Action requires admin:users") }
        guard let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue else {
            throw APIError.badRequest("Request body must be a JSON object")
        }
        for key in body.keys where !["name", "admin", "groups", "roles", "auth_state"].contains(key) {
            throw APIError.badRequest("Unsupported key \(UsernamePolicy.quoted(key))")
        }
        if case .bool(let admin)? = body["admin"] {
            guard principal.scopes.hasUnfiltered("admin:users"), principal.user?.admin ?? true || !admin else {
                throw APIError(.forbidden, "Only admins can grant admin")
            }
            user.admin = admin
        }
        if let rawName = body["name"] {
            guard let text = rawName.stringValue else { throw APIError.badRequest("name must be a string") }
            let name = try components.policy.normalize(text)
            if name != user.name {
                guard await components.hub.lifecycles(ofUser: user.name).values.allSatisfy({ !$0.active }) else {
                    throw APIError.badRequest("Cannot rename \(user.name) while servers are running")
                }
                guard try await components.store.user(named: name) == nil else {
                    throw APIError(.conflict, "User \(name) already exists, username must be unique")
                }
                user.name = name
            }
        }
        try await components.store.update(user)
        let builder = ModelBuilder(principal: principal, publicURL: components.config.hub.publicURL)
        return JSONResponse.make(builder.user(user, records: [], lifecycles: [:]) ?? .null)
    }

    @Sendable func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try await components.requirePrincipal(request)
        try await delete(as: principal, user: try await components.existingUser(try context.parameters.require("name")))
        return JSONResponse.empty(.noContent)
    }

    /// Deletes a user after stopping their servers (scope `delete:users`; never oneself).
    func delete(as principal: Principal, user: User) async throws {
        guard principal.scopes.allows("delete:users", user: user.name) else { throw APIError(.forbidden, "Action requires delete:users") }
        guard principal.user?.name != user.name else { throw APIError.badRequest("Cannot delete yourself!") }
        try await components.hub.deleteUser(user.name)
    }

    /// Activity reports from single-user servers: `{"last_activity": ..., "servers": {name: {"last_activity": ...}}}`.
    @Sendable func activity(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try await components.requirePrincipal(request)
        let user = try await components.existingUser(try context.parameters.require("name"))
        guard principal.scopes.allows("users:activity", user: user.name) else {
            throw APIError(.forbidden, "Action requires users:activity")
        }
        guard let body = try await request.decodeJSONBody(limit: components.config.hub.maxBodySize)?.objectValue else {
            throw APIError.badRequest("Request body must be a JSON object")
        }
        let overall = try body["last_activity"].map { try Self.activityDate($0) }
        var servers: [String: Date] = [:]
        if let raw = body["servers"] {
            guard let map = raw.objectValue else { throw APIError.badRequest("servers must be a dict") }
            for (name, value) in map {
                guard let date = value.objectValue?["last_activity"] else {
                    throw APIError.badRequest("servers.\(name).last_activity is required")
                }
                guard try await components.store.server(user: user.name, name: name) != nil else {
                    throw APIError.badRequest("No such server '\(name)' for user \(user.name)")
                }
                servers[name] = try Self.activityDate(date)
            }
        }
        await components.hub.recordActivity(user: user.name, servers: servers, overall: overall)
        return JSONResponse.empty(.ok)
    }

    static func activityDate(_ value: JSONValue) throws -> Date {
        guard let text = value.stringValue, let date = Timestamp.parse(text) else {
            throw APIError.badRequest("last_activity must be an ISO8601 timestamp")
        }
        guard date.timeIntervalSinceNow < 59 * 60 else { throw APIError.badRequest("last_activity is in the future") }
        return date
    }
}

import Foundation
import HubAuth
import HubModel
import HubStore

/// Users as callers see them: looking up, listing, creating, changing and deleting users, logins and
/// activity reports, each with the scope check the REST API makes. The API and the pages both call this.
struct UserDirectory: Sendable {
    let store: HubStore
    let hub: Hub
    let policy: UsernamePolicy

    /// Looks a user up by a name from a URL, normalizing it first (not found if unknown or invalid).
    func existing(_ raw: String) async throws -> User {
        guard let name = try? policy.normalize(raw.removingPercentEncoding ?? raw),
              let user = try await store.user(named: name) else {
            throw HubError.notFound("No such user: \(UsernamePolicy.quoted(raw))")
        }
        return user
    }

    /// A user's server rows.
    func servers(of user: User) async throws -> [ServerRecord] {
        try await store.servers(ofUser: user.name)
    }

    /// One page of the users `principal` may list, filtered by state and name prefix, sorted.
    func select(as principal: Principal, _ query: UserQuery) async throws -> UserSelection {
        guard principal.scopes.hasAny("list:users") else {
            throw HubError.forbidden("Action is not authorized with current scopes; requires any of [list:users]")
        }
        guard ["", "active", "ready", "inactive"].contains(query.state) else {
            throw HubError.badRequest("Unrecognized state filter: \(UsernamePolicy.quoted(query.state)). Use one of active, ready, inactive")
        }
        var query = query
        query.limit = min(query.limit, UserQuery.maxLimit)
        let lifecycles = await hub.lifecyclesByUser()
        let records = Dictionary(grouping: try await store.allServers(), by: \.userName)
        var users = try await store.allUsers().filter { user in
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

    static func sort(_ users: inout [User], by key: String) throws {
        let descending = key.hasPrefix("-")
        let field = descending ? String(key.dropFirst()) : key
        switch field {
        case "id": users.sort { ($0.id ?? 0) < ($1.id ?? 0) }
        case "name": users.sort { $0.name < $1.name }
        case "last_activity": users.sort { ($0.lastActivity ?? .distantPast) < ($1.lastActivity ?? .distantPast) }
        default: throw HubError.badRequest("sort must be one of id, name, last_activity (optionally prefixed with -)")
        }
        if descending { users.reverse() }
    }

    /// Creates the users of `rawNames` that do not exist yet (scope `admin:users`), all names checked first;
    /// a conflict when every one exists.
    func create(as principal: Principal, names rawNames: [String], admin: Bool) async throws -> [User] {
        try requireAdmin(principal)
        let names = try rawNames.map { try policy.normalize($0) }
        guard !names.isEmpty else { throw HubError.badRequest("Must specify at least one user to create") }
        let created = try await store.insertMissing(Set(names).sorted().map { User(name: $0, admin: admin) })
        guard !created.isEmpty else { throw HubError.conflict("All \(names.count) users already exist") }
        return created
    }

    /// Creates one user from a name in a URL (scope `admin:users`); a conflict if it exists.
    func createOne(as principal: Principal, rawName: String, admin: Bool) async throws -> User {
        try requireAdmin(principal)
        let name = try policy.normalize(rawName.removingPercentEncoding ?? "")
        guard try await store.user(named: name) == nil else { throw HubError.conflict("User \(name) already exists") }
        return try await store.insert(User(name: name, admin: admin))
    }

    /// `admin:users` on every user.
    func requireAdmin(_ principal: Principal) throws {
        guard principal.scopes.hasUnfiltered("admin:users") else { throw HubError.forbidden("Action requires admin:users") }
    }

    /// Changes a user's admin flag and/or name (scope `admin:users`; only admins grant admin; no rename
    /// while servers run, nor onto an existing name).
    func modify(as principal: Principal, user: User, admin: Bool?, rawName: String?) async throws -> User {
        var user = user
        try principal.require("admin:users", onUser: user.name)
        if let admin {
            guard principal.scopes.hasUnfiltered("admin:users"), principal.user?.admin ?? true || !admin else {
                throw HubError.forbidden("Only admins can grant admin")
            }
            user.admin = admin
        }
        if let rawName {
            let name = try policy.normalize(rawName)
            if name != user.name {
                guard await hub.lifecycles(ofUser: user.name).values.allSatisfy({ !$0.active }) else {
                    throw HubError.badRequest("Cannot rename \(user.name) while servers are running")
                }
                guard try await store.user(named: name) == nil else {
                    throw HubError.conflict("User \(name) already exists, username must be unique")
                }
                user.name = name
            }
        }
        try await store.update(user)
        return user
    }

    /// Deletes a user after stopping their servers (scope `delete:users`; never oneself).
    func delete(as principal: Principal, user: User) async throws {
        try principal.require("delete:users", onUser: user.name)
        guard principal.user?.name != user.name else { throw HubError.badRequest("Cannot delete yourself!") }
        try await hub.deleteUser(user.name)
    }

    /// Records an activity report from a single-user server (scope `users:activity`); every named server must exist.
    func recordActivity(as principal: Principal, user: User, overall: Date?, servers: [String: Date]) async throws {
        try principal.require("users:activity", onUser: user.name)
        for name in servers.keys.sorted() where try await store.server(user: user.name, name: name) == nil {
            throw HubError.badRequest("No such server '\(name)' for user \(user.name)")
        }
        await hub.recordActivity(user: user.name, servers: servers, overall: overall)
    }

    /// The user row for someone who just authenticated: created on first login; admin follows the
    /// authenticator's word, else `configuredAdmin` (`hub.admin_users`), else stays as it was.
    func establishLogin(_ authenticated: AuthenticatedUser, configuredAdmin: Bool) async throws -> User {
        let isAdmin = configuredAdmin || (authenticated.admin ?? false)
        if var user = try await store.user(named: authenticated.name) {
            if user.admin != isAdmin, authenticated.admin != nil || configuredAdmin {
                user.admin = isAdmin
                try await store.update(user)
            }
            return user
        }
        return try await store.insert(User(name: authenticated.name, admin: isAdmin))
    }

    /// Revokes every token issued to one browser session (the servers' OAuth tokens), at logout.
    func endSession(_ sessionID: String) async throws {
        try await store.deleteTokens(sessionID: sessionID)
    }

    /// How many users exist, and how many were active within each of `periods` (seconds), for `/hub/metrics`.
    func activityCounts(periods: [Double]) async throws -> (total: Int, active: [Int]) {
        let total = try await store.userCount()
        let users = try await store.allUsers()
        let active = periods.map { seconds in
            users.filter { ($0.lastActivity?.timeIntervalSinceNow ?? -.infinity) > -seconds }.count
        }
        return (total, active)
    }
}

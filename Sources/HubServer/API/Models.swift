import Foundation
import HubModel

/// JSON models of users, servers and tokens as JupyterHub's REST API shows them (protocol §3),
/// with fields filtered by the caller's scopes.
struct ModelBuilder {
    let principal: Principal
    let publicURL: String
    let urls: ServerURLs

    func server(_ record: ServerRecord?, name: String, user: String, lifecycle: ServerLifecycle) -> JSONValue {
        let url = urls.url(user: user, server: name)
        let progress = name.isEmpty
            ? "/hub/api/users/\(PathQuoting.quote(user))/server/progress"
            : "/hub/api/users/\(PathQuoting.quote(user))/servers/\(PathQuoting.quote(name))/progress"
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        var model: [String: JSONValue] = [
            "name": .string(name),
            "full_name": .string("\(user)/\(name)"),
            "last_activity": Self.date(record?.lastActivity),
            "started": Self.date(record?.started),
            "pending": lifecycle.pending.map { .string($0) } ?? .null,
            "ready": .bool(lifecycle.ready),
            "stopped": .bool(!lifecycle.active),
            "url": .string(url),
            "user_options": record?.userOptions ?? .object([:]),
            "progress_url": .string(progress),
            "full_url": urls.origins != nil ? .string(url) : base.isEmpty ? .null : .string(base + url),
            "full_progress_url": base.isEmpty ? .null : .string(base + progress),
        ]
        if principal.scopes.allows("admin:server_state", user: user, server: name) {
            model["state"] = record?.state ?? .object([:])
        }
        return .object(model)
    }

    /// The user model; nil when the caller may not see this user at all.
    func user(_ user: User, records: [ServerRecord], lifecycles: [String: ServerLifecycle],
              includeStopped: Bool = false) -> JSONValue? {
        let scopes = principal.scopes
        let name = user.name
        guard scopes.allows("read:users:name", user: name) || scopes.allows("read:users", user: name)
            || scopes.allows("read:servers", user: name) else { return nil }
        var model: [String: JSONValue] = ["kind": "user", "name": .string(name), "admin": .bool(user.admin)]
        if scopes.allows("read:users", user: name) || scopes.allows("read:users:groups", user: name) {
            model["groups"] = .array([])
        }
        if scopes.allows("read:users", user: name) {
            model["created"] = Self.date(user.created)
            model["last_activity"] = Self.date(user.lastActivity)
        } else if scopes.allows("read:users:activity", user: name) {
            model["last_activity"] = Self.date(user.lastActivity)
        }
        if scopes.allows("read:roles:users", user: name) || scopes.allows("read:users", user: name) {
            model["roles"] = .array((user.admin ? ["admin", "user"] : ["user"]).map { .string($0) })
        }
        if scopes.allows("read:servers", user: name) {
            let byName = Dictionary(records.map { ($0.name, $0) }) { a, _ in a }
            let defaultLifecycle = lifecycles[""] ?? .stopped
            model["server"] = defaultLifecycle.ready ? .string(urls.url(user: name, server: "")) : .null
            model["pending"] = defaultLifecycle.pending.map { .string($0) } ?? .null
            var servers: [String: JSONValue] = [:]
            for serverName in Set(byName.keys).union(lifecycles.keys) {
                let lifecycle = lifecycles[serverName] ?? .stopped
                guard includeStopped || lifecycle.active || byName[serverName] != nil else { continue }
                servers[serverName] = server(byName[serverName], name: serverName, user: name, lifecycle: lifecycle)
            }
            model["servers"] = .object(servers)
        }
        return .object(model)
    }

    static func token(_ token: TokenRecord) -> JSONValue {
        var model: [String: JSONValue] = [
            "id": .string(token.publicID),
            "kind": "api_token",
            "roles": .array([]),
            "scopes": .array(token.scopes.map { .string($0) }),
            "created": date(token.created),
            "last_activity": date(token.lastActivity),
            "expires_at": date(token.expiresAt),
            "note": .string(token.note),
            "session_id": token.sessionID.map { .string($0) } ?? .null,
            "oauth_client": .string(token.oauthClientID ?? "JupyterHub"),
        ]
        if let user = token.userName { model["user"] = .string(user) }
        if let service = token.serviceName { model["service"] = .string(service) }
        return .object(model)
    }

    static func date(_ date: Date?) -> JSONValue {
        date.map { .string(Timestamp.format($0)) } ?? .null
    }
}

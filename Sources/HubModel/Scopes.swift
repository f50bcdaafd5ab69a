/// JupyterHub's scopes: `name` or `name!filter=value`, with implications, `self`, `inherit` and roles.
///
/// Scopes are kept as a set of expanded strings; checks resolve `!user=` and `!server=` filters
/// (`!group=` is parsed and never matches, as no groups exist yet).
public struct ScopeSet: Sendable, Hashable {
    /// Expanded scope strings, e.g. `read:users!user=alice`.
    public private(set) var scopes: Set<String>

    public init(expanded: Set<String>) { scopes = expanded }

    /// Scopes implied by each scope (transitively applied by `expand`).
    static let implications: [String: [String]] = [
        "admin:users": ["admin:auth_state", "users", "read:roles:users", "delete:users"],
        "users": ["read:users", "list:users", "users:activity"],
        "list:users": ["read:users:name"],
        "read:users": ["read:users:name", "read:users:groups", "read:users:activity"],
        "users:activity": ["read:users:activity"],
        "admin:servers": ["admin:server_state", "servers"],
        "servers": ["read:servers", "delete:servers"],
        "read:servers": ["read:users:name"],
        "tokens": ["read:tokens"],
        "admin:groups": ["groups", "read:roles:groups", "delete:groups"],
        "groups": ["read:groups", "list:groups"],
        "admin:services": ["list:services", "read:services", "read:roles:services"],
        "read:roles": ["read:roles:users", "read:roles:services", "read:roles:groups"],
        "shares": ["access:servers", "read:shares", "users:shares", "groups:shares"],
    ]

    /// What `self` stands for: each gets `!user=<owner>`.
    static let selfScopes = [
        "read:users", "read:users:name", "read:users:groups", "users:shares", "read:users:shares",
        "read:shares", "users:activity", "read:users:activity", "servers", "delete:servers",
        "read:servers", "tokens", "read:tokens", "access:servers",
    ]

    /// Built-in roles and the scopes they grant.
    public static let roles: [String: [String]] = [
        "user": ["self"],
        "admin": [
            "admin-ui", "admin:users", "admin:servers", "admin:services", "admin:groups", "tokens",
            "list:services", "read:services", "read:hub", "proxy", "shutdown", "access:services",
            "access:servers", "read:roles", "read:metrics", "shares",
        ],
        "server": ["users:activity!user", "access:servers!server"],
        "token": ["inherit"],
    ]

    /// Every scope name the hub knows (after expansion), used to refuse unknown ones.
    public static let knownNames: Set<String> = {
        var names: Set<String> = ["self", "inherit", "read:hub", "proxy", "shutdown", "read:metrics",
                                  "access:servers", "access:services", "admin-ui", "read:users:shares",
                                  "read:shares", "users:shares", "groups:shares", "read:roles:users",
                                  "read:roles:services", "read:roles:groups", "admin:auth_state",
                                  "admin:server_state", "delete:users", "delete:servers", "delete:groups"]
        for (key, values) in implications {
            names.insert(key)
            names.formUnion(values)
        }
        return names
    }()

    /// Expands raw scopes for an owner: `self`, `inherit`, bare filters and implications.
    ///
    /// - Parameters:
    ///   - raw: scopes as written (may hold `self`, `inherit`, `x!user`, `x!server`).
    ///   - ownerName: user the bare `!user` filter and `self` refer to (nil for services).
    ///   - serverName: server the bare `!server` filter refers to.
    ///   - ownerScopes: what `inherit` expands to.
    public static func expand(
        _ raw: [String], ownerName: String?, serverName: String = "", ownerScopes: ScopeSet? = nil
    ) -> ScopeSet {
        var pending: [String] = []
        var result: Set<String> = []
        for scope in raw {
            switch scope {
            case "self":
                if let owner = ownerName { pending += selfScopes.map { "\($0)!user=\(owner)" } }
            case "inherit":
                result.formUnion(ownerScopes?.scopes ?? [])
            default:
                let (name, filter) = split(scope)
                switch filter {
                case "user": if let owner = ownerName { pending.append("\(name)!user=\(owner)") }
                case "server": if let owner = ownerName { pending.append("\(name)!server=\(owner)/\(serverName)") }
                default: pending.append(scope)
                }
            }
        }
        while let scope = pending.popLast() {
            guard result.insert(scope).inserted else { continue }
            let (name, filter) = split(scope)
            for implied in implications[name] ?? [] {
                pending.append(filter.map { "\(implied)!\($0)" } ?? implied)
            }
        }
        return ScopeSet(expanded: result)
    }

    /// Expands role names into scopes for a user.
    public static func forRoles(_ roles: [String], userName: String) -> ScopeSet {
        expand(roles.flatMap { Self.roles[$0] ?? [] }, ownerName: userName)
    }

    /// Splits `name!filter` into its parts.
    static func split(_ scope: String) -> (String, String?) {
        guard let bang = scope.firstIndex(of: "!") else { return (scope, nil) }
        return (String(scope[..<bang]), String(scope[scope.index(after: bang)...]))
    }

    /// Whether a scope grants `name` on a user (and optionally one of its servers).
    public func allows(_ name: String, user: String? = nil, server: String? = nil) -> Bool {
        if scopes.contains(name) { return true }
        if let user {
            if scopes.contains("\(name)!user=\(user)") { return true }
            if let server, scopes.contains("\(name)!server=\(user)/\(server)") { return true }
        }
        return false
    }

    /// Whether any form of the scope is held, filtered or not.
    public func hasAny(_ name: String) -> Bool {
        scopes.contains { Self.split($0).0 == name }
    }

    /// Whether the scope is held without a filter.
    public func hasUnfiltered(_ name: String) -> Bool { scopes.contains(name) }

    /// The subset of this set that the owner's scopes also cover (token scopes ∩ owner scopes).
    public func intersected(withOwner owner: ScopeSet) -> ScopeSet {
        var result: Set<String> = []
        for scope in scopes {
            let (name, filter) = Self.split(scope)
            guard let filter else {
                if owner.scopes.contains(name) {
                    result.insert(name)
                } else {
                    // An unfiltered request narrows to whatever filtered forms the owner has.
                    result.formUnion(owner.scopes.filter { Self.split($0).0 == name })
                }
                continue
            }
            if owner.scopes.contains(name) || owner.scopes.contains(scope) {
                result.insert(scope)
            } else if filter.hasPrefix("server="), let slash = filter.firstIndex(of: "/") {
                let user = filter[filter.index(filter.startIndex, offsetBy: 7)..<slash]
                if owner.scopes.contains("\(name)!user=\(user)") { result.insert(scope) }
            }
        }
        return ScopeSet(expanded: result)
    }

    /// Sorted for output.
    public var sorted: [String] { scopes.sorted() }

    /// Names of scopes that are not known to the hub (filters stripped), for validation of token requests.
    public static func unknown(in raw: [String]) -> [String] {
        raw.filter { !knownNames.contains(split($0).0) }
    }
}

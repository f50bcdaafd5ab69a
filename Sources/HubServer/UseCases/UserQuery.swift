import HubModel

/// The parameters of `GET /hub/api/users` (the admin page asks the same).
struct UserQuery: Sendable {
    static let maxLimit = 200
    var state = ""
    var offset = 0
    var limit = 50
    var nameFilter = ""
    var sort = "id"

    /// A count from a query string (`offset`, `limit`): nil when absent, 400 unless a non-negative integer.
    static func count(_ raw: Substring?, name: String) throws -> Int? {
        guard let raw else { return nil }
        guard let value = Int(raw), value >= 0 else { throw HubError.badRequest("\(name) must be a non-negative integer") }
        return value
    }
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

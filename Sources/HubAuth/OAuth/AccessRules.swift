import HubConfig
import HubModel

/// Who may log in and who is admin, decided from the provider's claims: the user name claim
/// (lower-cased, checked against the username pattern), the groups claim, and the allow and admin lists.
public struct AccessRules: Sendable {
    public var usernameClaim: String
    public var groupsClaim: String
    public var allowAll: Bool
    public var allowedUsers: Set<String>
    public var allowedGroups: Set<String>
    public var adminUsers: Set<String>
    public var adminGroups: Set<String>
    public var policy: UsernamePolicy
    /// Provider name for messages.
    public var service: String

    public init(usernameClaim: String, groupsClaim: String = "groups", allowAll: Bool = false,
                allowedUsers: Set<String> = [], allowedGroups: Set<String> = [], adminUsers: Set<String> = [],
                adminGroups: Set<String> = [], policy: UsernamePolicy, service: String = "OAuth") {
        self.usernameClaim = usernameClaim
        self.groupsClaim = groupsClaim
        self.allowAll = allowAll
        self.allowedUsers = allowedUsers
        self.allowedGroups = allowedGroups
        self.adminUsers = adminUsers
        self.adminGroups = adminGroups
        self.policy = policy
        self.service = service
    }

    /// From `auth.oauth`; `hubAdmins` (`hub.admin_users`) may always log in and are admins.
    public init(section: AuthOAuthSection, hubAdmins: [String], policy: UsernamePolicy) {
        self.init(usernameClaim: section.effectiveUsernameClaim, groupsClaim: section.groupsClaim,
                  allowAll: section.allowAll, allowedUsers: Set(section.allowedUsers),
                  allowedGroups: Set(section.allowedGroups), adminUsers: Set(section.adminUsers + hubAdmins),
                  adminGroups: Set(section.adminGroups), policy: policy, service: section.loginService)
    }

    /// The user these claims describe, or ``LoginError`` (`.refused`, or `.failed` when the name claim is missing).
    public func decide(_ claims: [String: JSONValue]) throws -> AuthenticatedUser {
        let raw: String
        switch Self.value(at: usernameClaim, in: claims) {
        case .string(let text)?: raw = text
        case .number(let number)? where number.rounded() == number && abs(number) < 1e15: raw = String(Int64(number))
        default:
            throw LoginError(.failed, "\(service) did not say who you are (no '\(usernameClaim)' claim)",
                             detail: "claims lack the username claim '\(usernameClaim)'")
        }
        let name: String
        do {
            name = try policy.normalize(raw)
        } catch {
            throw LoginError(.refused, "Your \(service) account name \(UsernamePolicy.quoted(raw)) is not a valid "
                + "user name on this hub.", detail: "refused \(UsernamePolicy.quoted(raw)): \(error)")
        }
        let groups = Self.groups(Self.value(at: groupsClaim, in: claims))
        let isAdmin = adminUsers.contains(name) || !adminGroups.isDisjoint(with: groups)
        guard allowAll || isAdmin || allowedUsers.contains(name) || !allowedGroups.isDisjoint(with: groups) else {
            throw LoginError(.refused, "User \(name) is not allowed to use this hub. "
                + "Ask the hub's administrators for access if you need it.",
                detail: "refused \(name): not in allowed_users, allowed_groups or the admins (groups \(groups))")
        }
        return AuthenticatedUser(name: name, admin: isAdmin ? true : (adminGroups.isEmpty ? nil : false), groups: groups)
    }

    /// A claim by exact name, else by dot-separated path into nested objects.
    static func value(at path: String, in claims: [String: JSONValue]) -> JSONValue? {
        if let direct = claims[path] { return direct }
        var current: JSONValue? = .object(claims)
        for part in path.split(separator: ".") { current = current?.objectValue?[String(part)] }
        return current
    }

    /// Groups from a list of strings or a single string.
    static func groups(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let single)?: return single.isEmpty ? [] : [single]
        case .array(let list)?: return list.compactMap(\.stringValue)
        default: return []
        }
    }
}

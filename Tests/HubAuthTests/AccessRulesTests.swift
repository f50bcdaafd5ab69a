import HubAuth
@testable import HubConfig
import HubModel
import XCTest

final class AccessRulesTests: XCTestCase {
    func rules(allowAll: Bool = false, users: Set<String> = [], groups: Set<String> = [], admins: Set<String> = [],
               adminGroups: Set<String> = [], claim: String = "preferred_username",
               groupsClaim: String = "groups") throws -> AccessRules {
        AccessRules(usernameClaim: claim, groupsClaim: groupsClaim, allowAll: allowAll, allowedUsers: users,
                    allowedGroups: groups, adminUsers: admins, adminGroups: adminGroups, policy: try UsernamePolicy())
    }

    func kind(_ body: () throws -> AuthenticatedUser) -> LoginError.Kind? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? LoginError)?.kind
        }
    }

    func testAllowedUsersAndGroups() throws {
        let rules = try rules(users: ["bob"], groups: ["hpc"])
        XCTAssertEqual(try rules.decide(["preferred_username": "Bob"]).name, "bob")
        XCTAssertEqual(try rules.decide(["preferred_username": "carol", "groups": .array(["x", "hpc"])]).name, "carol")
        XCTAssertEqual(try rules.decide(["preferred_username": "dave", "groups": "hpc"]).groups, ["hpc"])
        XCTAssertEqual(kind { try rules.decide(["preferred_username": "eve", "groups": .array(["other"])]) }, .refused)
        XCTAssertEqual(try self.rules(allowAll: true).decide(["preferred_username": "eve"]).admin, nil)
    }

    func testInvalidOrMissingNamesAreRefused() throws {
        let rules = try rules(allowAll: true)
        XCTAssertEqual(kind { try rules.decide(["preferred_username": "../root"]) }, .refused)
        XCTAssertEqual(kind { try rules.decide(["preferred_username": "alice smith"]) }, .refused)
        XCTAssertEqual(kind { try rules.decide(["email": "alice@example.org"]) }, .failed)
    }

    func testAdminsFromUsersAndGroups() throws {
        let rules = try rules(admins: ["root_admin"], adminGroups: ["staff"])
        XCTAssertEqual(try rules.decide(["preferred_username": "root_admin"]).admin, true)
        XCTAssertEqual(try rules.decide(["preferred_username": "sam", "groups": .array(["staff"])]).admin, true)
        XCTAssertEqual(kind { try rules.decide(["preferred_username": "sam", "groups": .array(["users"])]) }, .refused)
        let open = try self.rules(allowAll: true, adminGroups: ["staff"])
        XCTAssertEqual(try open.decide(["preferred_username": "sam"]).admin, false, "admin_groups set: others are not admin")
    }

    func testNestedAndNumericClaims() throws {
        let rules = AccessRules(usernameClaim: "id", groupsClaim: "realm_access.roles", allowedGroups: ["hpc"],
                                policy: try UsernamePolicy(pattern: "^[a-z0-9_][a-z0-9_-]{0,31}$"))
        let user = try rules.decide(["id": 10001, "realm_access": .object(["roles": .array(["hpc"])])])
        XCTAssertEqual(user.name, "10001")
        XCTAssertEqual(user.groups, ["hpc"])
    }

    func testHubAdminsMayAlwaysLogIn() throws {
        var section = try ConfigLoader.decode(ConfigLoader.mergedTree(path: nil, environment: [:])).auth.oauth
        section.allowedGroups = ["hpc"]
        let rules = AccessRules(section: section, hubAdmins: ["admin"], policy: try UsernamePolicy())
        XCTAssertEqual(rules.usernameClaim, "id", "no issuer: plain OAuth 2 reads `id`")
        XCTAssertEqual(try rules.decide(["id": "admin"]).admin, true)
    }
}

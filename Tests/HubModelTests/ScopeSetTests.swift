import HubModel
import XCTest

final class ScopeSetTests: XCTestCase {
    func testSelfExpandsToOwnerFilteredScopes() {
        let scopes = ScopeSet.forRoles(["user"], userName: "alice")
        XCTAssertTrue(scopes.allows("servers", user: "alice", server: ""))
        XCTAssertTrue(scopes.allows("read:servers", user: "alice"))
        XCTAssertTrue(scopes.allows("delete:servers", user: "alice", server: "x"))
        XCTAssertFalse(scopes.allows("servers", user: "bob"))
        XCTAssertFalse(scopes.hasUnfiltered("list:users"))
    }

    func testAdminImpliesEverythingUnfiltered() {
        let scopes = ScopeSet.forRoles(["admin"], userName: "root")
        for scope in ["admin:users", "users", "list:users", "read:users:name", "delete:servers", "read:metrics", "admin:server_state"] {
            XCTAssertTrue(scopes.hasUnfiltered(scope), scope)
        }
        XCTAssertTrue(scopes.allows("servers", user: "anyone", server: "s"))
    }

    func testServerFilterMatchesOnlyThatServer() {
        let scopes = ScopeSet.expand(["access:servers!server=alice/"], ownerName: "alice")
        XCTAssertTrue(scopes.allows("access:servers", user: "alice", server: ""))
        XCTAssertFalse(scopes.allows("access:servers", user: "alice", server: "other"))
        XCTAssertFalse(scopes.allows("access:servers", user: "bob", server: ""))
    }

    func testTokenScopesNeverExceedOwner() {
        let owner = ScopeSet.forRoles(["user"], userName: "alice")
        let asked = ScopeSet.expand(["admin:users", "read:users", "servers!server=alice/lab"], ownerName: "alice")
        let granted = asked.intersected(withOwner: owner)
        XCTAssertFalse(granted.hasUnfiltered("admin:users"))
        XCTAssertFalse(granted.allows("read:users", user: "bob"))
        XCTAssertTrue(granted.allows("read:users", user: "alice"))
        XCTAssertTrue(granted.allows("servers", user: "alice", server: "lab"))
        XCTAssertFalse(granted.allows("servers", user: "alice", server: ""))
    }

    func testBareFiltersInRolesResolveToOwner() {
        let scopes = ScopeSet.expand(["users:activity!user", "access:servers!server"], ownerName: "bob", serverName: "lab")
        XCTAssertEqual(scopes.scopes, ["users:activity!user=bob", "read:users:activity!user=bob", "access:servers!server=bob/lab"])
    }

    func testUnknownScopesAreReported() {
        XCTAssertEqual(ScopeSet.unknown(in: ["read:users", "frobnicate", "servers!user=x"]), ["frobnicate"])
    }
}

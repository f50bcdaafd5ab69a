import Foundation
import HubModel
@testable import HubServer
import XCTest

/// What the hub stores on behalf of browsers stays bounded: pending authorization codes are capped per user, and
/// expired codes and tokens are deleted by the background purge.
final class GrowthTests: XCTestCase {
    func testAThousandAuthorizeCallsKeepTheCodeTableBoundedAndThePurgeEmptiesIt() async throws {
        let hub = try await TestHub.make()
        let store = hub.components.store
        let found = try await store.user(named: "alice")
        let alice = try XCTUnwrap(found)
        let client = OAuthClient(id: "jupyterhub-user-alice", secretHash: Secrets.hash("secret"),
                                 redirectURI: "/user/alice/oauth_callback", description: "Server at /user/alice/",
                                 allowedScopes: ["access:servers!server=alice/"])
        try await store.save(client)
        for _ in 0..<1000 {
            _ = try await hub.components.oauth.issueCode(to: client, for: alice, redirectURI: client.redirectURI,
                                                         sessionID: "s", challenge: nil, challengeMethod: nil)
        }
        let pending = try await store.oauthCodeCount()
        XCTAssertEqual(pending, OAuthGrants.pendingCodesPerUser)

        let expired = TokenRecord(hash: Secrets.hash("old-token"), userName: "alice", scopes: [], note: "old",
                                  expiresAt: Date().addingTimeInterval(-1))
        _ = try await store.insert(expired)
        let live = TokenRecord(hash: Secrets.hash("live-token"), userName: "alice", scopes: [], note: "live")
        _ = try await store.insert(live)
        await hub.hub.purgeExpired()
        let kept = try await store.tokens(ofUser: "alice").map(\.note)
        XCTAssertEqual(kept, ["live"])
        try await store.purgeExpired(now: Date().addingTimeInterval(OAuthGrants.codeLifetime + 1))
        let left = try await store.oauthCodeCount()
        XCTAssertEqual(left, 0)
    }
}

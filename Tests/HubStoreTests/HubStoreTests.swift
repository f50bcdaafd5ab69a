import Foundation
import HubModel
import HubStore
import XCTest

final class HubStoreTests: XCTestCase {
    func makeStore() throws -> HubStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).sqlite").path
        return try HubStore(path: path)
    }

    func testMigrationsApplied() throws {
        let applied = try makeStore().appliedMigrations()
        XCTAssertEqual(applied.first, "v1")
        XCTAssertTrue(applied.contains("v2-auth-state"))
    }

    func testUsersServersAndCascade() async throws {
        let store = try makeStore()
        let alice = try await store.insert(User(name: "alice"))
        XCTAssertNotNil(alice.id)
        var server = ServerRecord(userName: "alice", name: "", userOptions: .object(["partition": "gpu"]))
        server.state = .object(["pid": 42])
        server = try await store.save(server)
        server.url = "http://127.0.0.1:5000"
        _ = try await store.save(ServerRecord(userName: "alice", name: "", userOptions: .object([:])))
        let rows = try await store.allServers()
        XCTAssertEqual(rows.count, 1, "saving (user, name) again must not duplicate the row")
        let created = try await store.insertMissing([User(name: "alice"), User(name: "bob")])
        XCTAssertEqual(created.map(\.name), ["bob"])
        try await store.deleteUser(named: "alice")
        let remaining = try await store.allServers()
        XCTAssertTrue(remaining.isEmpty)
    }

    func testJSONColumnsRoundTrip() async throws {
        let store = try makeStore()
        _ = try await store.insert(User(name: "alice"))
        var server = ServerRecord(userName: "alice", name: "lab", userOptions: .object(["cores": 4]))
        server.state = .object(["pid": 1234, "start_time": 987_654_321, "log": "/tmp/x"])
        _ = try await store.save(server)
        let loaded = try await store.server(user: "alice", name: "lab")
        XCTAssertEqual(loaded?.state, server.state)
        XCTAssertEqual(loaded?.userOptions, server.userOptions)
    }

    func testTokensStoredHashedAndCodesSingleUse() async throws {
        let store = try makeStore()
        _ = try await store.insert(User(name: "alice"))
        let token = Secrets.newToken()
        let record = try await store.insert(TokenRecord(hash: Secrets.hash(token), userName: "alice", scopes: ["inherit"],
                                                        note: "t", sessionID: "s1"))
        let byHash = try await store.token(hash: Secrets.hash(token))
        XCTAssertEqual(byHash?.id, record.id)
        let byClear = try await store.token(hash: token)
        XCTAssertNil(byClear, "the clear token must not be a key")
        try await store.save(OAuthClient(id: "c", secretHash: "h", redirectURI: "/cb", description: "d", allowedScopes: []))
        try await store.insert(OAuthCode(hash: "code", clientID: "c", userName: "alice", sessionID: "s1",
                                         redirectURI: "/cb", scopes: [], expiresAt: Date().addingTimeInterval(60)))
        let first = try await store.redeemCode(hash: "code")
        let second = try await store.redeemCode(hash: "code")
        XCTAssertNotNil(first)
        XCTAssertNil(second, "a code is redeemed once")
        try await store.deleteTokens(sessionID: "s1")
        let revoked = try await store.token(hash: Secrets.hash(token))
        XCTAssertNil(revoked)
    }
}

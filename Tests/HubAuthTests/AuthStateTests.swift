import Foundation
import HubAuth
import HubModel
import HubStore
import Logging
import XCTest

/// Upstream tokens sealed at rest, bound to their user, refreshed when expired.
final class AuthStateTests: XCTestCase {
    func makeStore() throws -> HubStore {
        try HubStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString).sqlite").path)
    }

    func testVaultSealsAndBindsTheUser() throws {
        let vault = AuthStateVault(secret: "key-material-0123456789")
        let state = AuthState(accessToken: "access-secret", refreshToken: "refresh-secret", expiresAt: Date(timeIntervalSince1970: 2e9))
        let sealed = try vault.seal(state, userName: "alice")
        XCTAssertNil(sealed.range(of: Data("access-secret".utf8)), "tokens must not be stored in plain text")
        XCTAssertEqual(try vault.open(sealed, userName: "alice"), state)
        XCTAssertThrowsError(try vault.open(sealed, userName: "bob"))
        XCTAssertThrowsError(try AuthStateVault(secret: "another-key-0123456789").open(sealed, userName: "alice"))
        XCTAssertNotEqual(try vault.seal(state, userName: "alice"), sealed, "fresh nonce every time")
    }

    func testKeeperStoresSealedRowsThatGoWithTheUser() async throws {
        let store = try makeStore()
        _ = try await store.insert(User(name: "alice"))
        let keeper = AuthStateKeeper(store: store, vault: AuthStateVault(secret: "key-material-0123456789"),
                                     logger: Logger(label: "test"))
        try await keeper.save(AuthState(accessToken: "a1"), for: "alice")
        let loaded = try await keeper.load(for: "alice")
        XCTAssertEqual(loaded?.accessToken, "a1")
        let other = AuthStateKeeper(store: store, vault: AuthStateVault(secret: "different-key-0123456789"),
                                    logger: Logger(label: "test"))
        let unopened = try await other.load(for: "alice")
        XCTAssertNil(unopened, "a changed key file makes old state unreadable, not an error")
        try await store.deleteUser(named: "alice")
        let row = try await store.sealedAuthState(userName: "alice")
        XCTAssertNil(row)
    }

    func testExpiredTokensAreRefreshedOnceWhenEnabled() async throws {
        let provider = try await Fixture.makeProvider()
        await provider.setTokenLifetime(30)  // inside the 60 s leeway: counts as expired
        let store = try makeStore()
        let keeper = AuthStateKeeper(store: store, vault: AuthStateVault(secret: "key-material-0123456789"),
                                     logger: Logger(label: "test"))
        let authenticator = try Fixture.makeAuthenticator(provider, keeper: keeper, refresh: true)
        let user = try await Fixture.login(authenticator, provider, as: "u-alice")
        _ = try await store.insert(User(name: user.name))
        let original = try XCTUnwrap(user.authState)
        try await authenticator.keepAuthState(original, for: user.name)
        await provider.setTokenLifetime(3600)

        async let first = authenticator.authState(for: user.name)
        async let second = authenticator.authState(for: user.name)
        let (a, b) = try await (first, second)
        XCTAssertNotEqual(a?.accessToken, original.accessToken)
        XCTAssertEqual(a?.accessToken, b?.accessToken, "concurrent callers share one refresh")
        let refreshes = await provider.requestLog().filter { $0.formFields["grant_type"] == "refresh_token" }
        XCTAssertEqual(refreshes.count, 1)
        let stored = try await keeper.load(for: user.name)
        XCTAssertEqual(stored?.accessToken, a?.accessToken)

        let plain = try Fixture.makeAuthenticator(provider, keeper: keeper, refresh: false)
        let unrefreshed = try await plain.authState(for: user.name)
        XCTAssertEqual(unrefreshed?.accessToken, a?.accessToken)
    }
}

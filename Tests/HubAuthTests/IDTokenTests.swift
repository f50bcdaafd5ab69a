import Foundation
@testable import HubAuth
import HubModel
import XCTest

/// ID-token checks: every claim that must hold, and signatures that must not pass.
final class IDTokenTests: XCTestCase {
    func expectFailure(_ detail: String, overrides: [String: JSONValue] = [:], signWith key: String? = nil,
                       file: StaticString = #filePath, line: UInt = #line) async throws {
        let provider = try await Fixture.makeProvider()
        try await provider.addECKey(id: "unpublished", publish: false)
        await provider.setOverrides(overrides)
        if let key { await provider.setSigningKey(key) }
        let authenticator = try Fixture.makeAuthenticator(provider)
        await Fixture.assertLoginError(.failed, detail: detail, {
            _ = try await Fixture.login(authenticator, provider, as: "u-alice")
        }, file: file, line: line)
    }

    func testWrongNonceAudienceIssuerOrExpiryFail() async throws {
        try await expectFailure("nonce", overrides: ["nonce": "other"])
        try await expectFailure("audience", overrides: ["aud": "another-client"])
        try await expectFailure("several audiences", overrides: ["aud": .array(["slurmhub", "another-client"])])
        try await expectFailure("authorized party", overrides: ["azp": "another-client"])
        try await expectFailure("issuer", overrides: ["iss": "https://evil.example"])
        try await expectFailure("expired", overrides: ["exp": .number(Date().timeIntervalSince1970 - 3600)])
    }

    func testUnknownKeyFails() async throws {
        try await expectFailure("unknown key", signWith: "unpublished")
    }

    func makeVerifier(_ provider: FakeProvider) -> IDTokenVerifier {
        IDTokenVerifier(issuer: FakeProvider.issuer, clientID: FakeProvider.clientID, http: provider)
    }

    func forged(header: [String: JSONValue], claims: [String: JSONValue], signature: String) -> String {
        Base64URL.encode(Data(JSONValue.object(header).jsonString().utf8)) + "."
            + Base64URL.encode(Data(JSONValue.object(claims).jsonString().utf8)) + "." + signature
    }

    func validClaims() -> [String: JSONValue] {
        ["iss": .string(FakeProvider.issuer), "aud": .string(FakeProvider.clientID), "sub": "u-alice", "nonce": "n",
         "exp": .number(Date().timeIntervalSince1970 + 300)]
    }

    func testUnsignedAndHMACTokensAreRefused() async throws {
        let provider = try await Fixture.makeProvider()
        let verifier = makeVerifier(provider)
        for (alg, signature) in [("none", ""), ("HS256", Base64URL.random(bytes: 32))] {
            let token = forged(header: ["alg": .string(alg), "kid": "es-1"], claims: validClaims(), signature: signature)
            do {
                _ = try await verifier.verify(token, jwksURI: FakeProvider.issuer + "/certs", allowedAlgorithms: nil, nonce: "n")
                XCTFail("\(alg) token accepted")
            } catch let error as LoginError {
                XCTAssertEqual(error.kind, .failed)
            }
        }
    }

    /// An ID token straight from the provider's token endpoint, with the nonce it must carry.
    func obtainIDToken(_ provider: FakeProvider) async throws -> (token: String, nonce: String) {
        let redirect = try await Fixture.makeAuthenticator(provider).loginRedirect(next: nil)
        let callback = try await provider.approve(redirect.url, as: "u-alice")
        let response = try await provider.send(OAuthHTTPRequest(
            method: "POST", url: FakeProvider.issuer + "/token",
            headers: ["Authorization": "Basic " + Data("slurmhub:client-secret-0123".utf8).base64EncodedString()],
            body: Data(FormEncoding.encode([("grant_type", "authorization_code"), ("code", callback["code"] ?? ""),
                                            ("redirect_uri", "https://hub.example.org/hub/oauth_callback"),
                                            ("code_verifier", redirect.pending.codeVerifier)]).utf8)))
        return (try XCTUnwrap(response.jsonObject?["id_token"]?.stringValue), redirect.pending.nonce)
    }

    func testTamperedPayloadFailsTheSignature() async throws {
        let provider = try await Fixture.makeProvider()
        let (idToken, nonce) = try await obtainIDToken(provider)
        let parts = idToken.split(separator: ".").map(String.init)
        var claims = try XCTUnwrap(Base64URL.decode(parts[1]).flatMap { try? JSONDecoder().decode([String: JSONValue].self, from: $0) })
        claims["preferred_username"] = "root"
        let tampered = parts[0] + "." + Base64URL.encode(Data(JSONValue.object(claims).jsonString().utf8)) + "." + parts[2]
        let verifier = makeVerifier(provider)
        let uri = FakeProvider.issuer + "/certs"
        _ = try await verifier.verify(idToken, jwksURI: uri, allowedAlgorithms: nil, nonce: nonce)
        do {
            _ = try await verifier.verify(tampered, jwksURI: uri, allowedAlgorithms: nil, nonce: nonce)
            XCTFail("tampered token accepted")
        } catch let error as LoginError {
            XCTAssertEqual(error.kind, .failed)
        }
    }

    func testKeyRotationRefetchesTheJWKSAtMostOnceAMinute() async throws {
        let provider = try await Fixture.makeProvider()
        let verifier = makeVerifier(provider)
        let uri = FakeProvider.issuer + "/certs"
        let now = Date()
        let first = try await obtainIDToken(provider)
        _ = try await verifier.verify(first.token, jwksURI: uri, allowedAlgorithms: nil, nonce: first.nonce, now: now)
        try await provider.addECKey(id: "es-2")
        await provider.setSigningKey("es-2")
        let rotated = try await obtainIDToken(provider)
        do {
            _ = try await verifier.verify(rotated.token, jwksURI: uri, allowedAlgorithms: nil, nonce: rotated.nonce, now: now)
            XCTFail("unknown key accepted without refetch")
        } catch let error as LoginError {
            XCTAssertEqual(error.kind, .failed)
        }
        let claims = try await verifier.verify(rotated.token, jwksURI: uri, allowedAlgorithms: nil, nonce: rotated.nonce,
                                               now: now.addingTimeInterval(61))
        XCTAssertEqual(claims["sub"], "u-alice")
    }
}

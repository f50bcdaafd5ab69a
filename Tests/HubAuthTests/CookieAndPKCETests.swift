import Foundation
import HubAuth
import XCTest

/// Signed cookies, PKCE and base64url: the one implementation the hub's login, OAuth client and provider share.
final class CookieAndPKCETests: XCTestCase {
    func testSignedCookiesRejectTamperingForeignSecretsAndAge() {
        let signer = CookieSigner(secret: "a")
        let signed = signer.sign(name: "jupyterhub-hub-login", value: "alice:abc")
        XCTAssertEqual(signer.verify(name: "jupyterhub-hub-login", signed: signed, maxAge: 60), "alice:abc")
        XCTAssertNil(CookieSigner(secret: "b").verify(name: "jupyterhub-hub-login", signed: signed, maxAge: 60))
        XCTAssertNil(signer.verify(name: "other", signed: signed, maxAge: 60))
        var tampered = Array(signed)
        tampered[0] = tampered[0] == "A" ? "B" : "A"
        XCTAssertNil(signer.verify(name: "jupyterhub-hub-login", signed: String(tampered), maxAge: 60))
        let old = signer.sign(name: "n", value: "v", now: Date().addingTimeInterval(-120))
        XCTAssertNil(signer.verify(name: "n", signed: old, maxAge: 60))
    }

    func testPKCES256() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        XCTAssertTrue(PKCE.verify(verifier, challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", method: "S256"))
        XCTAssertFalse(PKCE.verify("wrong", challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", method: "S256"))
    }

    func testPKCEPlainComparesTheVerifierItself() {
        XCTAssertTrue(PKCE.verify("same", challenge: "same", method: "plain"))
        XCTAssertTrue(PKCE.verify("same", challenge: "same", method: nil))
        XCTAssertFalse(PKCE.verify("same", challenge: "other", method: nil))
    }

    func testBase64URLRoundTripsWithoutPadding() {
        let data = Data([0xfb, 0xff, 0xfe, 0x00, 0x10])
        let text = Base64URL.encode(data)
        XCTAssertFalse(text.contains("=") || text.contains("+") || text.contains("/"))
        XCTAssertEqual(Base64URL.decode(text), data)
    }
}

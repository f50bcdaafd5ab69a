@testable import HubAuth
import XCTest

final class CookieSignerRedactionTests: XCTestCase {
    /// Logs print services with `String(describing:)`, which reaches the signer through the structs holding it.
    func testKeyNeverAppearsInDescriptions() {
        struct Holder { let cookies: CookieSigner }
        let signer = CookieSigner(secret: "a-very-secret-value")
        let keyText = "\(signer.keyBytes)"
        for text in [String(describing: signer), String(reflecting: signer), String(describing: Holder(cookies: signer)),
                     String(reflecting: Holder(cookies: signer)), "\(Mirror(reflecting: signer).children.map { $0.value })"] {
            XCTAssertFalse(text.contains(keyText), text)
            XCTAssertFalse(text.contains("\(signer.keyBytes[0]), \(signer.keyBytes[1])"), text)
        }
    }
}

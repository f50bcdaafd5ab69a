import HubModel
import XCTest

final class UsernamePolicyTests: XCTestCase {
    let policy = try! UsernamePolicy()

    func testLowerCasesAndAcceptsUnixNames() throws {
        XCTAssertEqual(try policy.normalize("Alice"), "alice")
        XCTAssertEqual(try policy.normalize("_svc-1"), "_svc-1")
        XCTAssertEqual(try policy.normalize(String(repeating: "a", count: 32)), String(repeating: "a", count: 32))
    }

    func testRefusesPathsSpacesControlAndLookAlikes() {
        for bad in ["a/b", "..", "al ice", "ali\u{0441}e", "nul\u{0}", "", "1abc", String(repeating: "a", count: 33), "a;b", "a\nb"] {
            XCTAssertThrowsError(try policy.normalize(bad), "accepted \(bad.debugDescription)")
        }
    }

    func testQuotedIsBoundedAndPrintable() {
        let quoted = UsernamePolicy.quoted(String(repeating: "x", count: 100) + "\u{0}")
        XCTAssertLessThan(quoted.count, 50)
        XCTAssertFalse(quoted.contains("\u{0}"))
    }

    func testServerNames() {
        XCTAssertNoThrow(try ServerNamePolicy.validate(""))
        XCTAssertNoThrow(try ServerNamePolicy.validate("gpu-1.test"))
        XCTAssertThrowsError(try ServerNamePolicy.validate("a/b"))
        XCTAssertThrowsError(try ServerNamePolicy.validate("-x"))
    }
}

import HubModel
import XCTest

final class TimestampAndSecretsTests: XCTestCase {
    func testFormatsLikeJupyterHub() {
        let date = Date(timeIntervalSince1970: 1_735_787_045.123456)
        XCTAssertEqual(Timestamp.format(date), "2025-01-02T03:04:05.123456Z")
    }

    func testParsesLeniently() throws {
        for text in ["2025-01-02T03:04:05.123456Z", "2025-01-02T03:04:05.123Z",
                     "2025-01-02T03:04:05.123456", "2025-01-02T04:04:05.123456+01:00"] {
            let date = try XCTUnwrap(Timestamp.parse(text), text)
            XCTAssertEqual(date.timeIntervalSince1970, 1_735_787_045.123, accuracy: 0.001, text)
        }
        XCTAssertEqual(Timestamp.parse("2025-01-02T03:04:05Z")?.timeIntervalSince1970, 1_735_787_045)
        XCTAssertNil(Timestamp.parse("yesterday"))
    }

    func testTokensAreRandomAndHashed() {
        let token = Secrets.newToken()
        XCTAssertEqual(token.count, 32)
        XCTAssertNotEqual(token, Secrets.newToken())
        XCTAssertEqual(Secrets.hash(token).count, 64)
        XCTAssertNotEqual(Secrets.hash(token), token)
        XCTAssertTrue(Secrets.constantTimeEquals("abc", "abc"))
        XCTAssertFalse(Secrets.constantTimeEquals("abc", "abd"))
    }

    func testJSONValueRoundTrip() {
        let value = JSONValue.object(["pid": 42, "name": "x", "list": .array([.bool(true), .null]), "f": .number(1.5)])
        XCTAssertEqual(JSONValue.parse(value.jsonString()), value)
        XCTAssertEqual(value.jsonString(), #"{"f":1.5,"list":[true,null],"name":"x","pid":42}"#)
    }
}

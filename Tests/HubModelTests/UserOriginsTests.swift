import XCTest

@testable import HubModel

final class UserOriginsTests: XCTestCase {
    func testParsesOriginsAndBuildsUserHosts() throws {
        let origins = try XCTUnwrap(UserOrigins(subdomainHost: "https://Hub.Example.org:8443/"))
        XCTAssertEqual(origins.hubOrigin, "https://hub.example.org:8443")
        XCTAssertEqual(origins.origin(forUser: "alice"), "https://alice.hub.example.org:8443")
        XCTAssertEqual(origins.routeSpec(forUser: "alice", prefix: "/user/alice/"), "/alice.hub.example.org/user/alice/")
        XCTAssertTrue(origins.isHubHost("HUB.example.org:8443"))
        XCTAssertFalse(origins.isHubHost("alice.hub.example.org"))
        XCTAssertTrue(origins.usesHTTPS)
        XCTAssertEqual(UserOrigins(subdomainHost: "https://hub.example.org:443")?.hubOrigin, "https://hub.example.org")
        XCTAssertEqual(UserOrigins(subdomainHost: "http://hub.test")?.usesHTTPS, false)
    }

    func testRefusesWhatIsNotAnOriginOnADNSName() {
        for value in ["", "hub.example.org", "ftp://hub.example.org", "https://10.0.0.1", "https://localhost",
                      "https://hub.example.org/path", "https://hub.example.org/?x=1", "https://user@hub.example.org",
                      "https://hub_x.example.org", "https://-hub.example.org"] {
            XCTAssertNil(UserOrigins(subdomainHost: value), value)
        }
    }

    func testLabelsAreDNSLabelsAndNeverCollide() {
        XCTAssertEqual(UserOrigins.label(for: "alice"), "alice")
        XCTAssertEqual(UserOrigins.label(for: "a-b"), "a-b")
        let names = ["alice_x", "alice-x", "Alice", "alice", "a--b", "a-b", "-a", "a-", "1234", "_", "", "ä",
                     String(repeating: "a", count: 63), String(repeating: "a", count: 64), "u-alicex--0000000000000000"]
        var seen: [String: String] = [:]
        for name in names {
            let label = UserOrigins.label(for: name)
            XCTAssertNotNil(label.range(of: #"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"#, options: .regularExpression), "\(name) → \(label)")
            XCTAssertFalse(label.allSatisfy(\.isNumber), name)
            XCTAssertNil(seen[label], "\(name) and \(seen[label] ?? "") share \(label)")
            seen[label] = name
        }
        XCTAssertTrue(UserOrigins.label(for: "alice_x").hasPrefix("u-alicex--"))
    }
}

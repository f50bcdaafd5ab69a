import Foundation
import HubModel
import XCTest

@testable import HubProxy

final class RouteTableTests: XCTestCase {
    func testNormalization() {
        XCTAssertEqual(RoutePath.normalize("/user/alice/"), "/user/alice")
        XCTAssertEqual(RoutePath.normalize("/"), "/")
        XCTAssertEqual(RoutePath.normalize(""), "/")
        XCTAssertEqual(RoutePath.normalize("//user//alice"), "/user/alice")
        XCTAssertEqual(RoutePath.normalize("/user/a%40b/"), "/user/a@b")
        XCTAssertEqual(RoutePath.normalize("/user/alice"), "/user/alice")
    }

    func testLongestPrefixBySegment() throws {
        let table = InProcessRouteTable()
        try table.setRoute("/", target: "http://127.0.0.1:1")
        try table.setRoute("/user/alice/", target: "http://127.0.0.1:2")
        try table.setRoute("/user/al", target: "http://127.0.0.1:3")
        try table.setRoute("/user/alice/nb/", target: "http://127.0.0.1:4")

        XCTAssertEqual(table.lookup(path: "/user/alice/x")?.target, "http://127.0.0.1:2")
        XCTAssertEqual(table.lookup(path: "/user/alice")?.target, "http://127.0.0.1:2")
        XCTAssertEqual(table.lookup(path: "/user/alice/")?.target, "http://127.0.0.1:2")
        XCTAssertEqual(table.lookup(path: "/user/alice/nb/lab")?.target, "http://127.0.0.1:4")
        XCTAssertEqual(table.lookup(path: "/user/al/x")?.target, "http://127.0.0.1:3")
        XCTAssertEqual(table.lookup(path: "/user/alicex/y")?.target, "http://127.0.0.1:1")
        XCTAssertEqual(table.lookup(path: "/hub/home")?.path, "/")
        XCTAssertEqual(table.lookup(path: "/user/alice%2Fnb/x")?.target, "http://127.0.0.1:4")

        table.removeRoute("/")
        XCTAssertNil(table.lookup(path: "/hub/home"))
        XCTAssertNil(table.lookup(path: "/"))
        XCTAssertEqual(table.lookup(path: "/user/al")?.target, "http://127.0.0.1:3")
    }

    func testLookupWithManyRoutes() throws {
        let table = InProcessRouteTable()
        for index in 0..<2000 {
            try table.setRoute("/user/u\(index)/", target: "http://127.0.0.1:\(10000 + index)")
        }
        let start = Date()
        for index in 0..<20000 {
            let user = index % 2000
            XCTAssertEqual(table.lookup(path: "/user/u\(user)/api/kernels")?.path, "/user/u\(user)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertNil(table.lookup(path: "/user/u2000/x"))
    }

    func testInvalidTargetRejected() {
        let table = InProcessRouteTable()
        XCTAssertThrowsError(try table.setRoute("/x", target: "ftp://example.org"))
        XCTAssertNoThrow(try table.setRoute("/x", target: "https://example.org"))
        XCTAssertThrowsError(try table.setRoute("/x", target: "http://host:notaport"))
        XCTAssertNoThrow(try table.setRoute("/x", target: "http://[::1]:8080/prefix/"))
    }

    func testTouchAndInactiveSince() async throws {
        let table = InProcessRouteTable()
        try await table.addRoute("/user/a/", target: "http://127.0.0.1:1", data: ["user": .string("a")])
        try await table.addRoute("/user/b/", target: "http://127.0.0.1:2", data: [:])
        let before = try await table.allRoutes()
        XCTAssertEqual(before.count, 2)
        XCTAssertEqual(before["/user/a"]?.data["user"], .string("a"))
        try await Task.sleep(for: .milliseconds(20))
        let cutoff = Date()
        try await Task.sleep(for: .milliseconds(20))
        table.lookup(path: "/user/a/tree")?.touch()
        let inactive = table.routes(inactiveSince: cutoff)
        XCTAssertEqual(Array(inactive.keys), ["/user/b"])
        let after = try await table.allRoutes()
        let aBefore = try XCTUnwrap(before["/user/a"]?.lastActivity)
        XCTAssertGreaterThan(try XCTUnwrap(after["/user/a"]?.lastActivity), aBefore)
        try await table.deleteRoute("/user/a")
        XCTAssertEqual(table.count, 1)
    }

    func testTimestamps() throws {
        let date = try XCTUnwrap(Timestamp.parse("2025-01-02T03:04:05.123Z"))
        XCTAssertEqual(Timestamp.formatMilliseconds(date), "2025-01-02T03:04:05.123Z")
        XCTAssertEqual(date.timeIntervalSince1970, 1_735_787_045.123, accuracy: 0.0005)
        let offset = try XCTUnwrap(Timestamp.parse("2025-01-02T05:04:05.123456+02:00"))
        XCTAssertEqual(offset.timeIntervalSince1970, 1_735_787_045.123456, accuracy: 0.000001)
        XCTAssertNotNil(Timestamp.parse("2025-01-02"))
        XCTAssertNotNil(Timestamp.parse("2025-01-02T03:04:05"))
        XCTAssertNil(Timestamp.parse("yesterday"))
        XCTAssertNil(Timestamp.parse("2025-13-02T03:04:05Z"))
        XCTAssertEqual(Timestamp.formatMilliseconds(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000Z")
    }

    func testJSONValueRoundTrip() throws {
        let value = RouteDataValue.object([
            "user": .string("alice"), "jupyterhub": .bool(true), "n": .number(3),
            "x": .null, "list": .array([.number(1.5)]),
        ])
        let data = try JSONEncoder().encode(value)
        XCTAssertEqual(try JSONDecoder().decode(RouteDataValue.self, from: data), value)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"n\":3"))
    }
}

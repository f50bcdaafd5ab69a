import Foundation
@testable import HubProxy
import NIOHTTP1
import XCTest

/// The exchange's decisions without sockets: what the handler is told to do for each event.
final class ProxyExchangeStateMachineTests: XCTestCase {
    func route() throws -> RouteEntry {
        let target = try XCTUnwrap(UpstreamTarget("http://127.0.0.1:9999"))
        return RouteEntry(path: "/user/alice/", targetString: "http://127.0.0.1:9999", target: target, data: [:], now: Date())
    }

    func request(_ method: HTTPMethod = .GET, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:]) -> HTTPRequestHead {
        HTTPRequestHead(version: version, method: method, uri: "/user/alice/api?x=1", headers: headers)
    }

    func ok(_ headers: HTTPHeaders = ["Content-Length": "2"], status: HTTPResponseStatus = .ok) -> HTTPResponseHead {
        HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    }

    func testAForwardedExchangeTouchesItsRouteOnSuccessAndKeepsTheConnection() throws {
        var machine = ProxyExchangeStateMachine(head: request(), isUpgrade: false, route: try route())
        XCTAssertTrue(machine.forwardsRequestBody)
        XCTAssertEqual(machine.requestEndReceived(), .forwardEnd)
        XCTAssertFalse(machine.forwardsRequestBody, "nothing more to forward after the end")
        guard case .write(let head) = machine.upstreamHeadReceived(ok()) else { return XCTFail("head not written") }
        XCTAssertEqual(head.status, .ok)
        let (action, touch) = machine.upstreamEndReceived()
        guard case .finishResponse = action else { return XCTFail("\(action)") }
        XCTAssertTrue(touch)
        XCTAssertTrue(machine.keepsConnectionOpen)
    }

    func testAnErrorStatusIsNotActivity() throws {
        var machine = ProxyExchangeStateMachine(head: request(), isUpgrade: false, route: try route())
        _ = machine.requestEndReceived()
        _ = machine.upstreamHeadReceived(ok(status: .internalServerError))
        XCTAssertFalse(machine.upstreamEndReceived().touchRoute)
    }

    func testInformationalResponsesAreNotForwarded() throws {
        var machine = ProxyExchangeStateMachine(head: request(), isUpgrade: false, route: try route())
        guard case .ignore = machine.upstreamHeadReceived(ok([:], status: .continue)) else { return XCTFail() }
        XCTAssertEqual(machine.upstreamClosed(), .fail, "nothing was answered yet")
    }

    func testAnUpgradeIsHeldUntilTheUpstreamsEndAndNeverKeepsTheConnection() throws {
        let headers: HTTPHeaders = ["Connection": "Upgrade", "Upgrade": "websocket"]
        var machine = ProxyExchangeStateMachine(head: request(headers: headers), isUpgrade: true, route: try route())
        XCTAssertFalse(machine.keepAlive)
        guard case .holdUpgrade = machine.upstreamHeadReceived(ok(headers, status: .switchingProtocols)) else { return XCTFail() }
        XCTAssertEqual(machine.upstreamClosed(), .ignore, "the splice owns the connections now")
        guard case .completeUpgrade(let head) = machine.upstreamEndReceived().action else { return XCTFail() }
        XCTAssertEqual(head.status, .switchingProtocols)
    }

    func testARefusedUpgradeIsAnsweredBareAndCloses() throws {
        var machine = ProxyExchangeStateMachine(head: request(), isUpgrade: true, route: nil)
        XCTAssertEqual(machine.answerWithError(.notFound, hasErrorTarget: true), .bare(.notFound))
        XCTAssertTrue(machine.requestEnded)
        XCTAssertFalse(machine.keepsConnectionOpen)
    }

    func testNoRouteFetchesTheErrorPageAndKeepsItsStatus() throws {
        var machine = ProxyExchangeStateMachine(head: request(.POST), isUpgrade: false, route: nil)
        XCTAssertEqual(machine.answerWithError(.notFound, hasErrorTarget: true), .fetchErrorPage(.notFound))
        XCTAssertFalse(machine.forwardsRequestBody, "the client's body is dropped")
        guard case .write(let head) = machine.upstreamHeadReceived(ok()) else { return XCTFail() }
        XCTAssertEqual(head.status, .notFound, "the page's 200 is not what the client gets")
        let (action, touch) = machine.upstreamEndReceived()
        XCTAssertFalse(touch)
        guard case .awaitRequestEnd = action else { return XCTFail("the client is still sending its body") }
        XCTAssertEqual(machine.upstreamClosed(), .closeClient)
        XCTAssertEqual(machine.requestEndReceived(), .finishResponse)
    }

    func testAnUnreachableErrorPageFallsBackToPlainTextWithTheOriginalStatus() throws {
        var machine = ProxyExchangeStateMachine(head: request(), isUpgrade: false, route: try route())
        XCTAssertEqual(machine.upstreamFailed(), .error(.serviceUnavailable))
        XCTAssertEqual(machine.answerWithError(.serviceUnavailable, hasErrorTarget: true), .fetchErrorPage(.serviceUnavailable))
        XCTAssertEqual(machine.upstreamFailed(), .plain(.serviceUnavailable))
        XCTAssertEqual(machine.answerWithError(.badGateway, hasErrorTarget: true), .plain(.badGateway), "never a second fetch")
    }

    func testAPlainAnswerWaitsForTheRequestBodyToEnd() throws {
        var machine = ProxyExchangeStateMachine(head: request(.PUT), isUpgrade: false, route: nil)
        XCTAssertEqual(machine.answerWithError(.notFound, hasErrorTarget: false), .plain(.notFound))
        XCTAssertEqual(machine.plainAnswerWritten(), .awaitRequestEnd)
        XCTAssertEqual(machine.requestEndReceived(), .finishResponse)
        XCTAssertTrue(machine.keepsConnectionOpen)

        var ended = ProxyExchangeStateMachine(head: request(), isUpgrade: false, route: nil)
        _ = ended.requestEndReceived()
        _ = ended.answerWithError(.notFound, hasErrorTarget: false)
        XCTAssertEqual(ended.plainAnswerWritten(), .finishResponse)
    }

    func testAnHTTP10ClientWithoutALengthGetsACloseDelimitedBody() throws {
        var machine = ProxyExchangeStateMachine(head: request(version: .http1_0, headers: ["Connection": "keep-alive"]),
                                                isUpgrade: false, route: try route())
        XCTAssertTrue(machine.keepAlive)
        guard case .write(let head) = machine.upstreamHeadReceived(ok([:])) else { return XCTFail() }
        XCTAssertEqual(head.version, .http1_0)
        XCTAssertFalse(machine.keepAlive)
        XCTAssertEqual(head.headers["Connection"], ["close"])
    }

    func testAResponseBeforeTheRequestEndedClosesTheConnection() throws {
        var machine = ProxyExchangeStateMachine(head: request(.POST), isUpgrade: false, route: try route())
        _ = machine.upstreamHeadReceived(ok())
        guard case .finishResponse = machine.upstreamEndReceived().action else { return XCTFail() }
        XCTAssertFalse(machine.keepsConnectionOpen, "the rest of the body cannot be told from the next request")
    }
}

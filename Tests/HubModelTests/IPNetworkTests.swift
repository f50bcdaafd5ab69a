import HubModel
import XCTest

final class IPNetworkTests: XCTestCase {
    func testParsesAddressesAndNetworks() throws {
        XCTAssertEqual(IPNetwork("10.1.2.3/8")?.description, "10.0.0.0/8")
        XCTAssertEqual(IPNetwork("192.168.7.9")?.description, "192.168.7.9/32")
        XCTAssertEqual(IPNetwork("fd00::1/8")?.description, "fd00::/8")
        XCTAssertEqual(IPNetwork("::1")?.prefixLength, 128)
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "::1/129", "host.example", "10.0.0.0/-1", "10.0.0.0/8x", "1.2.3.4/"] {
            XCTAssertNil(IPNetwork(bad), bad)
        }
    }

    func testContainsMatchesPrefixBitsAndMappedIPv4() throws {
        let network = try XCTUnwrap(IPNetwork("10.20.0.0/14"))
        XCTAssertTrue(network.contains("10.23.255.1"))
        XCTAssertFalse(network.contains("10.24.0.1"))
        XCTAssertTrue(network.contains("::ffff:10.21.0.1"))
        XCTAssertFalse(network.contains("fe80::1"))
        XCTAssertFalse(network.contains("not an address"))
        XCTAssertTrue(try XCTUnwrap(IPNetwork("fe80::/10")).contains("fe80::1%eth0"))
        XCTAssertTrue([IPNetwork]([try XCTUnwrap(IPNetwork("0.0.0.0/0"))]).containsAddress("8.8.8.8"))
        XCTAssertFalse([IPNetwork]().containsAddress("8.8.8.8"))
    }
}

import HubConfig
@testable import HubDeploy
import XCTest

final class HostFirewallTests: XCTestCase {
    func config() throws -> HubConfiguration {
        try ConfigLoader.load(path: nil, environment: ["SLURMHUB_HUB_PUBLIC_BIND": "127.0.0.1:8443",
                                                      "SLURMHUB_HUB_API_BIND": "0.0.0.0:9081"])
    }

    func testPortsComeFromTheConfigAndOnlyGivenFamiliesGetRules() throws {
        let text = try HostFirewall(config: config(), externalInterface: "ens3", clusterNetworks: ["10.1.0.0/16"])
            .render(command: "slurmhub generate host")
        XCTAssertTrue(text.contains("define PROXY_PORT = 8443\n"))
        XCTAssertTrue(text.contains("define HUB_API_PORT = 9081\n"))
        XCTAssertTrue(text.contains("define CLUSTER_NET4 = { 10.1.0.0/16 }\n"))
        XCTAssertTrue(text.contains("tcp dport $HUB_API_PORT ip saddr $CLUSTER_NET4 accept\n"))
        XCTAssertFalse(text.contains("CLUSTER_NET6"))
        XCTAssertTrue(text.contains("iifname $EXTERNAL_IF tcp dport $HTTPS_PORT redirect to :$PROXY_PORT\n"))
    }

    func testBadInterfaceNetworkOrPortIsRefused() throws {
        let config = try config()
        for (interface, networks, port) in [("eth0; flush ruleset", ["10.0.0.0/8"], 443), ("eth0", [], 443),
                                            ("eth0", ["10.0.0.0/33"], 443), ("eth0", ["fd00::/129"], 443),
                                            ("eth0", ["10.0.0.0"], 443), ("eth0", ["10.0.0.0/8 }"], 443),
                                            ("eth0", ["10.0.0.0/8"], 0)] {
            XCTAssertThrowsError(try HostFirewall(config: config, externalInterface: interface, clusterNetworks: networks,
                                                  httpsPort: port), "\(interface) \(networks) \(port)")
        }
        XCTAssertNoThrow(try HostFirewall(config: config, externalInterface: "eth0", clusterNetworks: ["fd00:1::/48"]))
    }
}

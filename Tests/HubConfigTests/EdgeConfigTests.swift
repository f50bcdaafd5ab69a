import HubConfig
import HubModel
import XCTest

/// `hub.http`, `hub.tls`, `hub.subdomain_host`, `hub.api_tls` and `proxy.trusted_proxies`: defaults, and mistakes refused naming the key.
final class EdgeConfigTests: XCTestCase {
    private func load(_ hubLines: String, extra: String = "") throws -> HubConfiguration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("c.yaml").path
        try ("hub:\n  public_bind: 127.0.0.1:8000\n" + hubLines + extra).write(toFile: path, atomically: true, encoding: .utf8)
        return try ConfigLoader.load(path: path, environment: [:])
    }

    private func assertRefused(_ hubLines: String, extra: String = "", mentioning key: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(hubLines, extra: extra), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(key), "\(error)", file: file, line: line)
        }
    }

    func testDefaults() throws {
        let config = try load("")
        XCTAssertEqual(config.hub.http.headerTimeout, 20)
        XCTAssertEqual(config.hub.http.idleTimeout, 120)
        XCTAssertEqual(config.hub.http.maxConnections, 20_000)
        XCTAssertEqual(config.hub.http.maxConnectionsPerClient, 500)
        XCTAssertFalse(config.hub.tls.enabled)
        XCTAssertNil(config.hub.tls.redirectHTTPBind)
        XCTAssertFalse(config.hub.apiTLS.enabled)
        XCTAssertEqual(config.proxy.trustedProxies, [])
        XCTAssertNil(config.hub.userOrigins)
    }

    func testSubdomainHostNeedsAnOriginOnADNSNameAndTheSamePublicURL() throws {
        let config = try load("  subdomain_host: https://hub.example.org\n  public_url: https://hub.example.org/\n")
        XCTAssertEqual(config.hub.userOrigins?.origin(forUser: "alice"), "https://alice.hub.example.org")
        assertRefused("  subdomain_host: https://hub.example.org\n", mentioning: "hub.public_url")
        assertRefused("  subdomain_host: https://hub.example.org\n  public_url: https://jupyter.example.org\n",
                      mentioning: "hub.public_url")
        assertRefused("  subdomain_host: https://hub.example.org:8443\n  public_url: https://hub.example.org\n",
                      mentioning: "hub.public_url")
        assertRefused("  subdomain_host: http://hub.example.org\n  public_url: http://hub.example.org\n",
                      mentioning: "must be https")
        for bad in ["hub.example.org", "https://10.1.2.3", "https://hub.example.org/jupyter"] {
            assertRefused("  subdomain_host: \(bad)\n  public_url: https://hub.example.org\n", mentioning: "hub.subdomain_host")
        }
    }

    func testTrustedProxiesParse() throws {
        let config = try load("", extra: "proxy:\n  trusted_proxies: [10.0.0.5, \"fd00::/8\"]\n")
        XCTAssertEqual(config.proxy.trustedProxies.map(\.description), ["10.0.0.5/32", "fd00::/8"])
        XCTAssertThrowsError(try load("", extra: "proxy:\n  trusted_proxies: [proxy.example.org]\n")) { error in
            XCTAssertTrue("\(error)".contains("trusted_proxies"), "\(error)")
        }
    }

    func testMistakesAreRefused() {
        assertRefused("  http: {header_timeout: 0}\n", mentioning: "hub.http.header_timeout")
        assertRefused("  http: {max_connections_per_client: 0}\n", mentioning: "hub.http.max_connections_per_client")
        assertRefused("  tls: {cert_file: /etc/c.pem}\n", mentioning: "hub.tls")
        assertRefused("  public_url: http://hub.example.org\n  tls: {cert_file: /c.pem, key_file: /k.pem}\n",
                      mentioning: "https://")
        assertRefused("  tls: {redirect_http_bind: 127.0.0.1:8080}\n", mentioning: "hub.tls.redirect_http_bind")
        assertRefused("  public_url: https://h.example.org\n  tls: {cert_file: /c.pem, key_file: /k.pem, redirect_http_bind: 127.0.0.1:8000}\n",
                      mentioning: "must differ")
        assertRefused("  api_tls: {key_file: /k.pem}\n", mentioning: "hub.api_tls")
        assertRefused("  api_tls: {ca_file: /ca.pem}\n", mentioning: "hub.api_tls.ca_file")
        assertRefused("  api_url_for_servers: http://10.0.0.1:8081\n  api_tls: {cert_file: /c.pem, key_file: /k.pem}\n",
                      mentioning: "hub.api_url_for_servers")
    }
}

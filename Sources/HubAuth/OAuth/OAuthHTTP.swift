import AsyncHTTPClient
import Foundation
import HubModel
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP request to the identity provider.
public struct OAuthHTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: Data?

    public init(method: String, url: String, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The body's form fields (for tests and fakes).
    public var formFields: [String: String] { FormEncoding.decode(String(decoding: body ?? Data(), as: UTF8.self)) }
}

/// The provider's answer.
public struct OAuthHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }

    /// The body as a JSON object, if it is one.
    public var jsonObject: [String: JSONValue]? {
        (try? JSONDecoder().decode(JSONValue.self, from: body))?.objectValue
    }
}

/// How the authenticator talks to the identity provider (discovery, JWKS, token, userinfo).
/// Production uses AsyncHTTPClient; tests substitute a fake provider.
public protocol OAuthHTTP: Sendable {
    func send(_ request: OAuthHTTPRequest) async throws -> OAuthHTTPResponse
}

/// ``OAuthHTTP`` over AsyncHTTPClient: a timeout per request and a cap on response size.
public struct AsyncOAuthHTTP: OAuthHTTP {
    let client: HTTPClient
    let timeout: TimeAmount
    static let maxBody = 1 << 20

    /// Uses `HTTPClient.shared`, or a client trusting the extra CA certificates in `caFile` (PEM).
    public init(caFile: String = "", timeoutSeconds: Int64 = 15) throws {
        client = caFile.isEmpty ? HTTPClient.shared : try ClientCache.client(trusting: caFile)
        timeout = .seconds(timeoutSeconds)
    }

    public func send(_ request: OAuthHTTPRequest) async throws -> OAuthHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(outgoing, timeout: timeout)
        let body = try await response.body.collect(upTo: Self.maxBody)
        return OAuthHTTPResponse(status: Int(response.status.code), body: Data(body.readableBytesView))
    }

    /// Clients with extra trust roots live as long as the process (one per CA file).
    final class ClientCache: @unchecked Sendable {
        static let shared = ClientCache()
        let lock = NSLock()
        var clients: [String: HTTPClient] = [:]

        static func client(trusting caFile: String) throws -> HTTPClient {
            try shared.lock.withLock {
                if let existing = shared.clients[caFile] { return existing }
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
                let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                        configuration: HTTPClient.Configuration(tlsConfiguration: tls))
                shared.clients[caFile] = client
                return client
            }
        }
    }
}

/// `application/x-www-form-urlencoded` encoding.
public enum FormEncoding {
    static let unreserved = CharacterSet(charactersIn:
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    public static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    public static func decode(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }

    /// `url` with the query fields appended (after `?` or `&`).
    public static func appending(_ fields: [(String, String)], to url: String) -> String {
        url + (url.contains("?") ? "&" : "?") + encode(fields)
    }
}

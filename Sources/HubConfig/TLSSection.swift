/// `hub.tls.*`: HTTPS on `hub.public_bind`.
public struct TLSSection: Sendable, Codable, Equatable {
    /// PEM certificate chain, leaf first (e.g. certbot's `fullchain.pem`); empty: plain HTTP.
    public var certFile: String
    /// PEM private key, mode 0600 (e.g. certbot's `privkey.pem`).
    public var keyFile: String
    /// An address answering plain HTTP with a 301 to the same path on `hub.public_url`; nil (`""`): none.
    public var redirectHTTPBind: ListenAddress?

    enum CodingKeys: String, CodingKey {
        case certFile = "cert_file", keyFile = "key_file", redirectHTTPBind = "redirect_http_bind"
    }

    /// Whether the proxy speaks TLS.
    public var enabled: Bool { !certFile.isEmpty }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        certFile = try container.decode(String.self, forKey: .certFile)
        keyFile = try container.decode(String.self, forKey: .keyFile)
        let redirect = try container.decode(String.self, forKey: .redirectHTTPBind)
        redirectHTTPBind = redirect.isEmpty ? nil : try container.decode(ListenAddress.self, forKey: .redirectHTTPBind)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(certFile, forKey: .certFile)
        try container.encode(keyFile, forKey: .keyFile)
        try container.encode(redirectHTTPBind?.description ?? "", forKey: .redirectHTTPBind)
    }

    func validate(publicURL: String, publicBind: ListenAddress) throws {
        guard certFile.isEmpty == keyFile.isEmpty else {
            throw ConfigError("hub.tls: cert_file and key_file go together (both set for HTTPS, both empty for plain HTTP)")
        }
        if enabled, publicURL.lowercased().hasPrefix("http://") {
            throw ConfigError("hub.public_url '\(publicURL)' must be https:// when hub.tls is on")
        }
        if let redirect = redirectHTTPBind {
            guard enabled, publicURL.lowercased().hasPrefix("https://") else {
                throw ConfigError("hub.tls.redirect_http_bind needs hub.tls.cert_file/key_file and an https hub.public_url to redirect to")
            }
            guard redirect != publicBind else {
                throw ConfigError("hub.tls.redirect_http_bind must differ from hub.public_bind")
            }
        }
    }
}

/// `hub.api_tls.*`: HTTPS on `hub.api_bind`, for sites whose compute nodes reach the hub over a network that is
/// not trusted. Servers get `https` in `JUPYTERHUB_API_URL` and, with `ca_file`, the CA to verify it with.
public struct APITLSSection: Sendable, Codable, Equatable {
    public var certFile: String
    public var keyFile: String
    /// PEM bundle that verifies `cert_file`: used by the proxy and handed to servers as `SSL_CERT_FILE` and
    /// `REQUESTS_CA_BUNDLE` (so it must exist at the same path on the compute nodes and should hold the system's
    /// roots too); empty: the system's roots.
    public var caFile: String

    enum CodingKeys: String, CodingKey {
        case certFile = "cert_file", keyFile = "key_file", caFile = "ca_file"
    }

    /// Whether the hub API speaks TLS.
    public var enabled: Bool { !certFile.isEmpty }

    func validate() throws {
        guard certFile.isEmpty == keyFile.isEmpty else {
            throw ConfigError("hub.api_tls: cert_file and key_file go together")
        }
        if !caFile.isEmpty, !enabled {
            throw ConfigError("hub.api_tls.ca_file needs hub.api_tls.cert_file and key_file")
        }
    }
}

import Foundation
import HubModel

/// The whole configuration, as decoded from the merged YAML tree.
public struct HubConfiguration: Sendable, Codable, Equatable {
    public var hub: HubSection
    public var auth: AuthSection
    public var spawner: SpawnerSection
    public var services: [ServiceSection]
    public var proxy: ProxySection
    public var log: LogSection
    /// The pages' branding and site templates (`UISection.swift`).
    public var ui: UISection
}

/// `hub.*`
public struct HubSection: Sendable, Codable, Equatable {
    public var publicBind: ListenAddress
    public var apiBind: ListenAddress
    public var publicURL: String
    /// Per-user origins (`https://hub.example.org` puts alice at `https://alice.hub.example.org`); empty: path mode.
    public var subdomainHost: String
    public var apiURLForServers: String
    public var dataDir: String
    public var adminUsers: [String]
    public var usernamePattern: String
    public var cookieMaxAgeDays: Double
    public var allowNamedServers: Bool
    public var namedServerLimitPerUser: Int
    public var concurrentSpawnLimit: Int
    public var activeServerLimit: Int
    public var slowSpawnTimeout: Double
    public var slowStopTimeout: Double
    public var maxBodySize: Int
    public var lastActivityInterval: Double
    public var authenticateMetrics: Bool
    public var configWatchInterval: Double
    /// Connection timeouts and caps on both listeners.
    public var http: HTTPSection
    /// HTTPS on the proxy's listener.
    public var tls: TLSSection
    /// HTTPS on the hub API's listener.
    public var apiTLS: APITLSSection

    enum CodingKeys: String, CodingKey {
        case publicBind = "public_bind", apiBind = "api_bind", publicURL = "public_url", subdomainHost = "subdomain_host"
        case apiURLForServers = "api_url_for_servers", dataDir = "data_dir", adminUsers = "admin_users"
        case usernamePattern = "username_pattern", cookieMaxAgeDays = "cookie_max_age_days"
        case allowNamedServers = "allow_named_servers", namedServerLimitPerUser = "named_server_limit_per_user"
        case concurrentSpawnLimit = "concurrent_spawn_limit", activeServerLimit = "active_server_limit"
        case slowSpawnTimeout = "slow_spawn_timeout", slowStopTimeout = "slow_stop_timeout"
        case maxBodySize = "max_body_size", lastActivityInterval = "last_activity_interval"
        case authenticateMetrics = "authenticate_metrics", configWatchInterval = "config_watch_interval", http, tls, apiTLS = "api_tls"
    }
}

extension HubSection {
    /// The per-user origins when `subdomain_host` is set (validated at load).
    public var userOrigins: UserOrigins? { UserOrigins(subdomainHost: subdomainHost) }

    /// `scheme://host[:port]` of a URL, without path; empty when it has no host.
    static func origin(of url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return "" }
        return "\(scheme)://\(host)\(parsed.port.map { ":\($0)" } ?? "")"
    }
}

/// `auth.*`
public struct AuthSection: Sendable, Codable, Equatable {
    public var kind: AuthKind
    public var dev: DevAuthSection
    /// OAuth 2 / OpenID Connect login (`AuthOAuthSection.swift`).
    public var oauth: AuthOAuthSection
}

/// `auth.dev.*`
public struct DevAuthSection: Sendable, Codable, Equatable {
    public var users: [String]
    public var passwordFile: String
    public var allowRemote: Bool

    enum CodingKeys: String, CodingKey {
        case users, passwordFile = "password_file", allowRemote = "allow_remote"
    }
}

/// `spawner.*`
public struct SpawnerSection: Sendable, Codable, Equatable {
    public var kind: SpawnerKind
    public var startTimeout: Double
    public var httpTimeout: Double
    public var pollInterval: Double
    public var environment: [String: String]
    public var defaultURL: String
    public var local: LocalSpawnerSection
    public var slurm: SlurmSpawnerSection

    enum CodingKeys: String, CodingKey {
        case kind, startTimeout = "start_timeout", httpTimeout = "http_timeout", pollInterval = "poll_interval"
        case environment, defaultURL = "default_url", local, slurm
    }
}

/// `spawner.local.*`
public struct LocalSpawnerSection: Sendable, Codable, Equatable {
    public var cmd: [String]
    public var args: [String]
    public var ip: String
    public var portRange: String

    enum CodingKeys: String, CodingKey {
        case cmd, args, ip, portRange = "port_range"
    }

    /// `port_range` parsed as `low-high`.
    public var ports: ClosedRange<Int>? { PortRange.parse(portRange) }
}

/// One entry of `services`.
public struct ServiceSection: Sendable, Codable, Equatable {
    public var name: String
    public var apiTokenFile: String
    public var scopes: [String]
    public var admin: Bool

    enum CodingKeys: String, CodingKey {
        case name, apiTokenFile = "api_token_file", scopes, admin
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        apiTokenFile = try container.decode(String.self, forKey: .apiTokenFile)
        scopes = try container.decodeIfPresent([String].self, forKey: .scopes) ?? []
        admin = try container.decodeIfPresent(Bool.self, forKey: .admin) ?? false
    }
}

/// `proxy.*`
public struct ProxySection: Sendable, Codable, Equatable {
    /// The CHP-compatible route API's address; nil (`""` in the file) runs none.
    public var apiBind: ListenAddress?
    public var authTokenFile: String
    /// Peers whose `X-Forwarded-*` headers the proxy keeps (a TLS terminator in front); every other client's are
    /// replaced. Also exempt from `hub.http.max_connections_per_client`.
    public var trustedProxies: [IPNetwork]

    enum CodingKeys: String, CodingKey {
        case apiBind = "api_bind", authTokenFile = "auth_token_file", trustedProxies = "trusted_proxies"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try container.decode(String.self, forKey: .apiBind)
        apiBind = raw.isEmpty ? nil : try container.decode(ListenAddress.self, forKey: .apiBind)
        authTokenFile = try container.decode(String.self, forKey: .authTokenFile)
        trustedProxies = try container.decode([IPNetwork].self, forKey: .trustedProxies)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(apiBind?.description ?? "", forKey: .apiBind)
        try container.encode(authTokenFile, forKey: .authTokenFile)
        try container.encode(trustedProxies, forKey: .trustedProxies)
    }
}

/// `log.*`
public struct LogSection: Sendable, Codable, Equatable {
    public var level: String
    /// How lines written to stderr look.
    public var format: LogFormat
}

/// `log.format`: `auto` (journal prefixes when stderr is the journal, from `JOURNAL_STREAM`; else plain),
/// `plain` (timestamp, level, label, message), or `journal` (`<N>` syslog priority prefixes for journald).
public enum LogFormat: String, Sendable, Codable, Equatable, CaseIterable {
    case auto, plain, journal

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let format = LogFormat(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "'\(text)' is not one of auto, plain, journal"))
        }
        self = format
    }
}

/// A `host:port` bind address.
public struct ListenAddress: Sendable, Equatable, Codable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Parses `host:port`, `[v6]:port` or `:port` (all interfaces).
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// From the configuration's `host:port` string; anything else is a ``ConfigError`` naming the key.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let address = ListenAddress(raw) else {
            throw ConfigError("\(decoder.codingPath.map(\.stringValue).joined(separator: ".")) '\(raw)' is not host:port")
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Whether only this machine can reach it.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

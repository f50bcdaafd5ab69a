/// A key whose value is one of a closed set of names (`auth.kind`, `spawner.kind`, …), parsed once when the
/// configuration is loaded, so that code compares enum cases, not strings. An unknown name is a
/// ``ConfigError`` naming the key and the choices.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable, Equatable where RawValue == String {
    /// The key, for error messages (`auth.kind`).
    static var key: String { get }
}

extension ConfigChoice {
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let choices = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigError("\(Self.key) '\(raw)' is not supported (supported: \(choices))")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// `auth.kind`: how users log in.
public enum AuthKind: String, ConfigChoice {
    /// The dev form with `auth.dev.users` (demos and tests).
    case dev
    /// OAuth 2 / OpenID Connect delegation (`auth.oauth`).
    case oauth
    public static let key = "auth.kind"
}

/// `spawner.kind`: where servers run.
public enum SpawnerKind: String, ConfigChoice {
    /// Child processes of the hub.
    case local
    /// Slurm jobs submitted on the login nodes.
    case slurm
    public static let key = "spawner.kind"
}

/// `spawner.slurm.token_delivery`: how a job gets its API token.
public enum TokenDelivery: String, ConfigChoice {
    /// In the job's environment, sent with sbatch.
    case environment
    /// In a 0600 file in the user's home, written through sudo.
    case file
    public static let key = "spawner.slurm.token_delivery"
}

import Foundation
import HubAuth
import HubConfig
import HubModel
import HubStore
import Logging
import NIOConcurrencyHelpers
import SlurmSpawner

/// The parts of the hub that follow its configuration file while it runs: the configuration itself, the
/// authenticator, the page templates, the services' scopes and the Slurm spawner's settings. This is their one
/// owner: request handlers, the ``Hub`` and the spawner all read the current ``Parts``;
/// a reload builds new ones completely (``Parts/build(config:store:policy:logger:previous:)``) and swaps them
/// in one step, so a request never sees half of a reload and a failed reload changes nothing.
public final class LiveSettings: Sendable {
    /// One consistent generation of the live parts.
    public struct Parts: Sendable {
        public let config: HubConfiguration
        public let authenticator: any Authenticator
        public let pages: PageRenderer
        /// Owner scopes of each configured service.
        public let serviceScopes: [String: ScopeSet]
        /// The services' tokens as read from their files (hashed), written to the store by ``register(in:)``.
        let serviceTokens: [String: String]
        /// What the Slurm spawner builds jobs from (`spawner.kind: slurm`), nil for other spawners.
        public let slurm: SlurmJobSpawner.Settings?

        /// Reads every file the configuration names (secrets, templates) and builds the authenticator; throws
        /// ``ConfigError`` without side effects when any of it fails. The authenticator of `previous` is kept when
        /// nothing it depends on changed, so logins in progress survive a reload.
        static func build(config: HubConfiguration, store: HubStore, policy: UsernamePolicy, logger: Logger,
                          previous: Parts? = nil) async throws -> Parts {
            let authenticator: any Authenticator
            if let previous, previous.config.auth == config.auth, previous.config.hub.adminUsers == config.hub.adminUsers {
                authenticator = previous.authenticator
            } else {
                authenticator = try AuthenticatorFactory.make(config: config, store: store, policy: policy, logger: logger)
            }
            var scopes: [String: ScopeSet] = [:]
            var tokens: [String: String] = [:]
            for service in config.services {
                let token = try SecretFile.read(service.apiTokenFile, what: "api token of service \(service.name)")
                tokens[service.name] = Secrets.hash(token)
                let roles = service.admin ? ScopeSet.roles["admin"] ?? [] : []
                scopes[service.name] = ScopeSet.expand(service.scopes + roles, ownerName: nil)
            }
            var slurm: SlurmJobSpawner.Settings?
            if config.spawner.kind == .slurm {
                let deployment = try SlurmDeployment(config: config)
                slurm = SlurmJobSpawner.Settings(configuration: deployment.spawner, script: try deployment.jobScript())
            }
            return Parts(config: config, authenticator: authenticator, pages: try await PageRenderer.load(ui: config.ui),
                         serviceScopes: scopes, serviceTokens: tokens, slurm: slurm)
        }

        /// Makes the store agree with the configuration: admin users exist and are admins, the dev login's users
        /// exist, each service's token is the one from its file (an older one stops working).
        func register(in store: HubStore) async throws {
            for name in config.hub.adminUsers {
                if var user = try await store.user(named: name) {
                    if !user.admin { user.admin = true; try await store.update(user) }
                } else {
                    _ = try await store.insert(User(name: name, admin: true))
                }
            }
            if config.auth.kind == .dev {
                _ = try await store.insertMissing(config.auth.dev.users.map { User(name: $0) })
            }
            for (service, hash) in serviceTokens.sorted(by: { $0.key < $1.key }) {
                try await store.replaceServiceToken(service: service, with: TokenRecord(
                    hash: hash, userName: nil, serviceName: service, scopes: [], note: "Service \(service) (from config)"))
            }
        }
    }

    private let box: NIOLockedValueBox<Parts>

    public init(_ parts: Parts) { box = NIOLockedValueBox(parts) }

    /// The parts in effect now.
    public var current: Parts { box.withLockedValue { $0 } }

    /// Puts `parts` in effect for every request from now on.
    func replace(with parts: Parts) { box.withLockedValue { $0 = parts } }
}

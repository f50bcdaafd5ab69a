import HubConfig
import HubModel
import HubStore
import Logging

/// Builds the configured authenticator (`auth.kind`).
public enum AuthenticatorFactory {
    /// `dev`: the shared-password demo login. `oauth`: OAuth 2 / OIDC, with upstream tokens sealed
    /// under a key derived from `data_dir/auth-state-key` (created on first use, mode 0600).
    public static func make(config: HubConfiguration, store: HubStore, policy: UsernamePolicy,
                            logger: Logger) throws -> any Authenticator {
        let dataDir = config.hub.dataDir
        switch config.auth.kind {
        case .oauth:
            let section = config.auth.oauth
            let secret = try SecretFile.read(section.clientSecretFile, what: "OAuth client secret")
            let settings = OAuthSettings(section: section, clientSecret: secret, publicURL: config.hub.publicURL)
            let key = try SecretFile.readOrCreate("", fallback: "\(dataDir)/auth-state-key", what: "auth state key")
            let keeper = AuthStateKeeper(store: store, vault: AuthStateVault(secret: key),
                                         logger: Logger(label: "slurmhub.auth"))
            let provider = settings.isOIDC ? "OIDC issuer \(settings.issuer)" : "OAuth 2 at \(settings.authorizeURL)"
            logger.notice("OAuth login via \(provider), client \(settings.clientID), callback \(settings.callbackURL)")
            let http: AsyncOAuthHTTP
            do {
                http = try AsyncOAuthHTTP(caFile: section.tlsCAFile)
            } catch {
                throw ConfigError("auth.oauth.tls_ca_file \(section.tlsCAFile): \(error)")
            }
            return OAuthAuthenticator(
                settings: settings, rules: AccessRules(section: section, hubAdmins: config.hub.adminUsers, policy: policy),
                http: http, keeper: keeper)
        case .dev:
            let dev = config.auth.dev
            let passwordFile = dev.passwordFile.isEmpty ? "\(dataDir)/dev-password" : dev.passwordFile
            let password = try SecretFile.readOrCreate(dev.passwordFile, fallback: passwordFile, what: "dev password")
            logger.notice("dev login: users \(dev.users.joined(separator: ", ")), password in \(passwordFile)")
            return DevAuthenticator(users: dev.users, password: password, policy: policy)
        }
    }
}

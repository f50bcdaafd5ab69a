import Foundation
import HubAuth
import HubConfig
import HubModel
import HubProxy
import HubSpawner
import HubStore
import Hummingbird
import Logging
import NIOPosix
import Prometheus
import ServiceLifecycle
import SlurmSpawner
import SSHTransport
import UnixSignals

/// Builds the hub from its configuration and runs it: hub API and pages, the proxy,
/// the CHP-compatible route API, and the background loops. Servers are never stopped on exit.
public enum HubApplication {
    /// Runs until SIGTERM/SIGINT; reloads `configPath` (the file `config` came from, if any) on SIGHUP and when
    /// it changes.
    public static func run(config: HubConfiguration, configPath: String?, logger: Logger) async throws {
        let started = ContinuousClock.now
        let parts = try await assemble(config: config, logger: logger)
        let components = parts.components
        try await components.hub.addHubRoute()

        let router = makeRouter(components)
        let (apiBind, publicBind, routeAPIBind) = (config.hub.apiBind, config.hub.publicBind, config.proxy.apiBind)
        let tls = config.hub.tls
        let certificates = try HubCertificates(config: config)
        // READY=1 for systemd once every listener is bound and the previous run's servers are restored.
        var steps: Set<StartupReadiness.Step> = [.hubAPI, .proxy, .restore]
        if routeAPIBind != nil { steps.insert(.routeAPI) }
        if tls.redirectHTTPBind != nil { steps.insert(.redirect) }
        let readiness = StartupReadiness(steps: steps)
        let limits = ListenerLimits(config: config, descriptors: DescriptorLimit.raiseToHardLimit(logger: logger),
                                    logger: logger)
        let apiGate = ConnectionGate(limits: limits.hubAPI)
        let app = Application(router: router,
                              server: certificates.hubAPIServer(.init(additionalChannelHandlers:
                                ListenerLimits.hubAPIHandlers(gate: apiGate, limits: limits.hubAPI))),
                              configuration: .init(address: .hostname(apiBind.host, port: apiBind.port), serverName: nil),
                              onServerRunning: { _ in await readiness.done(.hubAPI) }, logger: logger)
        let proxy = ProxyServer(
            routes: parts.routes,
            configuration: .init(host: publicBind.host, port: publicBind.port,
                                 errorTarget: HubURLs.hubTarget(config) + "/hub/error",
                                 trustedProxies: config.proxy.trustedProxies, limits: limits.proxy,
                                 tls: certificates.proxy, upstreamTLS: certificates.upstreamTLS,
                                 hostRouting: config.hub.userOrigins != nil),
            logger: Logger(label: "slurmhub.proxy"))
        var services: [any Service] = [
            app,
            ListenerService(step: .proxy, readiness: readiness, start: { _ = try await proxy.start() },
                            shutdown: { await proxy.shutdown() }),
        ]
        if let routeAPIBind {
            let routeAPI = RouteAPIServer(routes: parts.routes, host: routeAPIBind.host, port: routeAPIBind.port,
                                          authToken: parts.proxyToken, logger: Logger(label: "slurmhub.proxy.api"))
            services.append(ListenerService(step: .routeAPI, readiness: readiness, start: { _ = try await routeAPI.start() },
                                            shutdown: { await routeAPI.shutdown() }))
        }
        if let redirectBind = tls.redirectHTTPBind {
            let redirect = HTTPSRedirectServer(host: redirectBind.host, port: redirectBind.port,
                                               base: config.hub.publicURL, limits: limits.proxy)
            services.append(ListenerService(step: .redirect, readiness: readiness, start: { _ = try await redirect.start() },
                                            shutdown: { await redirect.shutdown() }))
        }
        services.append(BackgroundLoops(hub: components.hub, metrics: components.metrics,
                                        started: started, readiness: readiness, logger: logger))
        let notifier = SystemdNotifier()
        services.append(ConfigReloader(path: configPath, components: components, spawner: parts.spawnerReloading,
                                       certificates: certificates, notifier: notifier, readiness: readiness, logger: Logger(label: "slurmhub.config")))
        // Last: the first to hear of a graceful shutdown (STOPPING=1).
        let hub = components.hub
        services.append(ServiceManagerNotifications(notifier: notifier, readiness: readiness,
                                                    counts: { await hub.serverCounts() }, logger: logger))
        let (proxyScheme, apiScheme) = (certificates.proxy == nil ? "http" : "https", certificates.hubAPI == nil ? "http" : "https")
        logger.info("slurmhub \(HubVersion.slurmhub): proxy on \(proxyScheme)://\(publicBind), hub API on \(apiScheme)://\(apiBind)")
        if config.hub.userOrigins == nil, SharedOrigin.severalUsersMayLogIn(config.auth) {
            let warning = "every user's server shares the hub's origin: code served by one user's server can act as "
                + "any user who opens it, so all users of this hub must trust each other; set hub.subdomain_host to give "
                + "each user an origin of their own (README: Security model)"
            logger.warning("\(warning)")
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("slurmhub stopped; user servers keep running")
    }

    /// Who may reach the hub's origin.
    enum SharedOrigin {
        /// Whether more than one person may log in (then their servers share one origin).
        static func severalUsersMayLogIn(_ auth: AuthSection) -> Bool {
            switch auth.kind {
            case .dev:
                return Set(auth.dev.users).count > 1
            case .oauth:
                let oauth = auth.oauth
                return oauth.allowAll || !oauth.allowedGroups.isEmpty || !oauth.adminGroups.isEmpty
                    || Set(oauth.allowedUsers + oauth.adminUsers).count > 1
            }
        }
    }

    struct Parts {
        let components: HubComponents
        let routes: InProcessRouteTable
        let proxyToken: String
        let spawnerReloading: SpawnerReloading
    }

    /// Creates the data directory, secrets, store, authenticator, spawner (`spawner`, for tests, replaces
    /// the configured one) and hub.
    static func assemble(config: HubConfiguration, logger: Logger, spawner injected: (any Spawner)? = nil) async throws -> Parts {
        let dataDir = config.hub.dataDir
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let cookieSecret = try SecretFile.readOrCreate("", fallback: "\(dataDir)/cookie_secret", what: "cookie secret")
        let proxyToken = try SecretFile.readOrCreate(config.proxy.authTokenFile, fallback: "\(dataDir)/proxy-token",
                                                     what: "proxy auth token")
        let store = try HubStore(path: "\(dataDir)/slurmhub.sqlite")
        let policy = try UsernamePolicy(pattern: config.hub.usernamePattern)

        let parts = try await LiveSettings.Parts.build(config: config, store: store, policy: policy, logger: logger)
        try await parts.register(in: store)
        let live = LiveSettings(parts)

        let metrics = HubMetrics()
        let made = try injected.map { (spawner: $0, reloading: SpawnerReloading.none) }
            ?? makeSpawner(live: live, metrics: metrics, logger: logger)
        let routes = InProcessRouteTable()
        let hub = Hub(live: live, store: store, spawner: made.spawner, routes: routes, metrics: metrics, logger: logger)
        let components = HubComponents(
            store: store, hub: hub, cookies: CookieSigner(secret: cookieSecret), metrics: metrics, policy: policy,
            live: live, logger: logger)
        return Parts(components: components, routes: routes, proxyToken: proxyToken, spawnerReloading: made.reloading)
    }

    /// The configured spawner; the Slurm spawner reads its settings from `live`, so that a reload reaches it.
    static func makeSpawner(live: LiveSettings, metrics: HubMetrics,
                            logger: Logger) throws -> (spawner: any Spawner, reloading: SpawnerReloading) {
        let config = live.current.config
        if config.spawner.kind == .slurm, let initial = live.current.slurm {
            let deployment = try SlurmDeployment(config: config)
            try deployment.checkFiles()
            let observer = SlurmMetrics(registry: metrics.registry)
            var transportSettings = deployment.transport
            transportSettings.onSessionEstablished = { observer.sessionEstablished($0) }
            let transport = SSHTransport(configuration: transportSettings, logger: Logger(label: "slurmhub.ssh"))
            let spawner = SlurmJobSpawner(
                settings: { live.current.slurm ?? initial }, transport: transport, observer: observer,
                logger: Logger(label: "slurmhub.spawner"))
            return (spawner, .reconnecting(transport))
        }
        let local = config.spawner.local
        guard let ports = local.ports else { throw ConfigError("spawner.local.port_range is invalid") }
        let spawner = LocalSpawner(command: local.cmd + local.args, ip: local.ip, portRange: ports,
                                   logDirectory: "\(config.hub.dataDir)/logs", logger: Logger(label: "slurmhub.spawner"))
        return (spawner, .none)
    }

    /// All hub routes: the REST API (with the OAuth provider) and the pages, each surface in its own group with its
    /// own error answers and authentication, under the hub middleware (headers, metrics, unmatched paths).
    public static func makeRouter(_ components: HubComponents) -> Router<HubRequestContext> {
        let router = Router(context: HubRequestContext.self)
        router.add(middleware: HubMiddleware(components: components))
        let api = router.group()
            .add(middleware: APIErrorMiddleware())
            .add(middleware: IdentityMiddleware(components: components, surface: .api))
        RootAPI(components: components).register(on: api)
        UsersAPI(components: components).register(on: api)
        ServersAPI(components: components).register(on: api)
        TokensAPI(components: components).register(on: api)
        OAuthProviderAPI(components: components).register(on: api)
        BatchSpawnerAPI(components: components).register(on: api)
        let pages = router.group()
            .add(middleware: PageErrorMiddleware(components: components))
            .add(middleware: IdentityMiddleware(components: components, surface: .pages))
        LoginPages(components: components).register(on: pages)
        ServerPages(components: components).register(on: pages)
        SpawnPages(components: components).register(on: pages)
        TokenPages(components: components).register(on: pages)
        AdminPages(components: components).register(on: pages)
        UserRedirects(components: components).register(on: pages)
        return router
    }
}

/// Restores servers after start, then polls servers and folds proxy activity at their intervals.
struct BackgroundLoops: Service {
    let hub: Hub
    let metrics: HubMetrics
    let started: ContinuousClock.Instant
    let readiness: StartupReadiness
    let logger: Logger

    func run() async throws {
        await hub.restore()
        await readiness.done(.restore)
        metrics.hubStartupDuration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await every({ await hub.loopIntervals().poll }) { await hub.pollRunningServers() } }
                group.addTask { await every({ await hub.loopIntervals().activity }) { await hub.foldProxyActivity() } }
                group.addTask { await every({ Hub.purgeInterval }) { await hub.purgeExpired() } }
            }
        }
    }

    /// Runs `body` every `interval()` seconds, asking for the interval each time (a reload may change it).
    func every(_ interval: @Sendable () async -> Double, _ body: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            let seconds = await interval()
            // 10 % jitter so that many hubs (or many loops) do not align.
            let jitter = Double.random(in: 0.9...1.1)
            do { try await Task.sleep(for: .milliseconds(Int(seconds * jitter * 1000))) } catch { return }
            await body()
        }
    }
}

import ArgumentParser
import Foundation
import HubConfig
import HubProxy
import HubServer
import Logging

/// The `slurmhub` command: run the hub, check a configuration, generate deployment files, run the proxy alone,
/// print the version.
@main
struct SlurmHub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurmhub",
        abstract: "A JupyterHub-compatible hub, proxy and Slurm spawner for HPC centres.",
        subcommands: [Serve.self, CheckConfig.self, Generate.self, Proxy.self, Health.self, Version.self],
        defaultSubcommand: Serve.self)
}

/// `slurmhub serve --config FILE`
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the hub, its proxy and the route API.")

    @Option(name: .long, help: "YAML configuration file (defaults are built in; SLURMHUB_* variables override).")
    var config: String?

    func run() async throws {
        let settings: HubConfiguration
        do {
            settings = try ConfigLoader.load(path: config)
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        }
        HubLogging.bootstrap(level: Logger.Level(rawValue: settings.log.level) ?? .info, format: settings.log.format)
        try await HubApplication.run(config: settings, configPath: config, logger: Logger(label: "slurmhub"))
    }
}

/// `slurmhub check-config --config FILE`
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration and print the effective values (secrets redacted).")

    @Option(name: .long, help: "YAML configuration file.")
    var config: String?

    func run() async throws {
        do {
            _ = try ConfigLoader.load(path: config)
            print(try ConfigLoader.effectiveYAML(path: config, environment: ProcessInfo.processInfo.environment), terminator: "")
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        }
    }
}

/// `slurmhub proxy …`: the built-in proxy and its CHP-compatible API, without a hub.
struct Proxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run only the proxy and its configurable-http-proxy compatible route API.")

    @Option(name: .long, help: "host:port for proxied traffic.") var publicBind = "127.0.0.1:8000"
    @Option(name: .long, help: "host:port for the route API.") var apiBind = "127.0.0.1:8001"
    @Option(name: .long, help: "File holding the route API token.") var authTokenFile: String
    @Option(name: .long, help: "Base URL of the error pages ({url}/{code}?url=…).") var errorTarget: String?
    @Option(name: .customLong("ssl-cert"), help: "PEM certificate chain: serve HTTPS (as configurable-http-proxy's --ssl-cert).")
    var sslCert: String?
    @Option(name: .customLong("ssl-key"), help: "PEM private key (mode 0600) for --ssl-cert.") var sslKey: String?
    @Flag(name: .long, help: "Route by host and path: routespecs start with the host (/alice.hub.example.org/user/alice/).")
    var hostRouting = false

    func run() async throws {
        guard let publicAddress = ListenAddress(publicBind), let apiAddress = ListenAddress(apiBind) else {
            throw ValidationError("binds must be host:port")
        }
        let token: String
        do {
            token = try SecretFile.read(authTokenFile, what: "route API token")
        } catch let error as ConfigError {
            throw ValidationError(error.message)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        guard (sslCert == nil) == (sslKey == nil) else { throw ValidationError("--ssl-cert and --ssl-key go together") }
        var tls: TLSCertificateStore?
        if let sslCert, let sslKey {
            do {
                tls = try TLSCertificateStore(certificateFile: sslCert, keyFile: sslKey, logger: Logger(label: "slurmhub.tls"))
            } catch let error as TLSCertificateError {
                throw ValidationError(error.description)
            }
        }
        let proxy = StandaloneProxy(
            publicHost: publicAddress.host, publicPort: publicAddress.port, apiHost: apiAddress.host,
            apiPort: apiAddress.port, authToken: token, errorTarget: errorTarget, tls: tls, hostRouting: hostRouting,
            logger: Logger(label: "slurmhub.proxy"))
        try await proxy.run()
    }
}

/// `slurmhub health`: the container's HEALTHCHECK.
struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 if the hub answers its health check (the container's HEALTHCHECK; needs no curl).")

    @Option(name: .long, help: "URL of the health endpoint.") var url = "http://127.0.0.1:8000/hub/health"
    @Option(name: .long, help: "Seconds to wait for the answer.") var timeout = 5.0
    @Flag(name: .long, help: "Accept any certificate (a loopback check of a TLS listener whose certificate names the public host).")
    var insecure = false

    func run() async throws {
        let result = await HealthProbe.check(url: url, timeout: .milliseconds(Int(timeout * 1000)),
                                             verifyCertificate: !insecure)
        print(result.detail)
        if !result.healthy { throw ExitCode.failure }
    }
}

/// `slurmhub version`
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() {
        print("slurmhub \(HubVersion.slurmhub) (JupyterHub API \(HubVersion.jupyterHubAPI))")
    }
}

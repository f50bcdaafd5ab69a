// swift-tools-version:6.0
// slurmhub: a JupyterHub-compatible hub, proxy and Slurm spawner for HPC centres.
//
// Modules point downwards only (each depends on what is left of it):
//   HubModel → HubConfig → HubStore → HubAuth / HubProxy / HubSpawner / SSHTransport → SlurmSpawner
//     → HubServer (App, Orchestration, UseCases, API, Pages) → HubDeploy (generators) → slurmhub
// Where a change goes: a REST endpoint → HubServer/API; a page → HubServer/Pages; what a caller may do
// (scopes, rules) → HubServer/UseCases; server lifecycle, restore, polling → HubServer/Orchestration;
// a config key → HubConfig (+ README); Slurm commands and job scripts → SlurmSpawner; a generated
// deployment file → HubDeploy; the proxy → HubProxy.
import PackageDescription

/// Every existential spelled `any`, as Hummingbird builds. `MemberImportVisibility` was tried and is left off: with
/// it, which C module Swift credits with Glibc's structs (`stat`, `timespec`) differs between debug and release
/// builds, failing them at random. The imports it asked for stay, every imported product is declared below, and
/// `scripts/check-imports.py` (run by `scripts/test.sh`) fails when a file imports a module its target does not declare.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "slurmhub",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "slurmhub", targets: ["slurmhub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // 3.x or 4.x: jwt-kit 5 needs swift-crypto 4.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // NIOHTTPTypes: the part types of Hummingbird's pipeline, for the hub API's connection deadlines.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.0.0"),
    ],
    targets: [
        // Users, servers, tokens, scopes and the server lifecycle; no I/O.
        .target(
            name: "HubModel",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings
        ),
        // The YAML configuration file, env overrides and secrets from files.
        .target(
            name: "HubConfig",
            dependencies: ["HubModel", "Yams"], swiftSettings: swiftSettings
        ),
        // SQLite persistence (GRDB) with versioned migrations.
        .target(
            name: "HubStore",
            dependencies: ["HubModel", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: swiftSettings
        ),
        // Authenticators (dev form, OAuth2/OIDC with its HTTP client and ID-token checks),
        // signed cookies and the encrypted upstream tokens (auth state).
        .target(
            name: "HubAuth",
            dependencies: [
                "HubModel", "HubConfig", "HubStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings
        ),
        // The route table, the NIO reverse proxy and the CHP-compatible route API.
        .target(
            name: "HubProxy",
            dependencies: [
                "HubModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings
        ),
        // The Spawner protocol and the local (child process) spawner.
        .target(
            name: "HubSpawner",
            dependencies: [
                "HubModel",
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings
        ),
        // The Slurm spawner: site limits, option validation, job scripts.
        .target(
            name: "SlurmSpawner",
            dependencies: [
                "HubModel", "HubSpawner", "SSHTransport", .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")], swiftSettings: swiftSettings
        ),
        // The hub: REST API, OAuth provider, pages, orchestration, metrics.
        .target(
            name: "HubServer",
            dependencies: [
                "HubModel", "HubConfig", "HubStore", "HubAuth", "HubProxy", "HubSpawner", "SlurmSpawner", "SSHTransport",
                "CSystemd",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")], swiftSettings: swiftSettings
        ),
        // What `slurmhub generate` writes: systemd/Quadlet units, the host firewall, login-node sudoers/sshd/ssh files.
        // Only the executable uses it; the running hub never does.
        .target(
            name: "HubDeploy",
            dependencies: ["HubModel", "HubConfig", "HubServer", "SlurmSpawner", "SSHTransport"], swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "slurmhub",
            dependencies: [
                "HubServer", "HubDeploy", "HubConfig", "HubProxy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings
        ),
        .testTarget(name: "HubModelTests", dependencies: ["HubModel"], swiftSettings: swiftSettings),
        .testTarget(name: "HubConfigTests", dependencies: ["HubConfig", "HubModel"], swiftSettings: swiftSettings),
        .testTarget(name: "HubStoreTests", dependencies: ["HubStore", "HubModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HubAuthTests",
            dependencies: [
                "HubAuth", "HubConfig", "HubStore", "HubModel",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HubSpawnerTests",
            dependencies: ["HubSpawner", "HubModel", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SlurmSpawnerTests",
            dependencies: ["SlurmSpawner", "HubModel", "HubSpawner", "SSHTransport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HubProxyTests",
            dependencies: [
                "HubProxy", "HubModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HubDeployTests",
            dependencies: ["HubDeploy", "HubServer", "HubConfig", "HubModel", "HubSpawner", "SlurmSpawner", "SSHTransport",
                           .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HubServerTests",
            dependencies: [
                "HubServer", "HubAuth", "HubConfig", "HubModel", "HubSpawner", "HubProxy", "HubStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ], swiftSettings: swiftSettings
        ),
        // libssh, found through pkg-config (Debian: libssh-dev).
        .systemLibrary(
            name: "CLibSSH",
            pkgConfig: "libssh",
            providers: [.apt(["libssh-dev"])]
        ),
        // SSH to the cluster login nodes (libssh): pinned host keys, one reused session per node, failover.
        .target(
            name: "SSHTransport",
            dependencies: ["CLibSSH", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings
        ),
        .testTarget(name: "SSHTransportTests", dependencies: ["SSHTransport"], swiftSettings: swiftSettings),
        // libsystemd, found through pkg-config (Debian: libsystemd-dev): sd_notify for Type=notify units.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
    ]
)

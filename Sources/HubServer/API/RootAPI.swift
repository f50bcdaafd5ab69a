import Foundation
import HubAuth
import HubConfig
import HubModel
import Hummingbird
import Prometheus

/// `/hub/api`, `/hub/api/info`, `/hub/api/user`, health and metrics.
struct RootAPI {
    let components: HubComponents

    func register(on router: RouterGroup<HubRequestContext>) {
        // The router treats `/hub/api` and `/hub/api/` alike.
        router.get("/hub/api") { _, _ -> Response in
            var response = JSONResponse.make(.object(["version": .string(HubVersion.jupyterHubAPI)]))
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
        router.get("/hub/api/info", use: info)
        router.get("/hub/api/user", use: identity)
        for path in ["/hub/health", "/hub/api/health"] {
            router.get(RouterPath(path)) { _, _ in JSONResponse.empty(.ok) }
        }
        for path in ["/hub/metrics", "/hub/api/metrics"] {
            router.get(RouterPath(path), use: metrics)
        }
    }

    @Sendable func info(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard principal.scopes.hasUnfiltered("read:hub") else { throw HubError.forbidden("Action requires read:hub") }
        return JSONResponse.make(.object([
            "version": .string(HubVersion.jupyterHubAPI),
            "slurmhub_version": .string(HubVersion.slurmhub),
            "python": "none (slurmhub is written in Swift)",
            "sys_executable": .string(CommandLine.arguments.first ?? "slurmhub"),
            "spawner": .object(["class": .string(components.servers.spawnerKind), "version": .string(HubVersion.slurmhub)]),
            "authenticator": .object(["class": .string(components.authenticator.kind), "version": .string(HubVersion.slurmhub)]),
        ]))
    }

    /// The identity of whoever holds the token (any valid token).
    @Sendable func identity(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var model: [String: JSONValue]
        switch principal.owner {
        case .user(let user):
            model = ["kind": "user", "name": .string(user.name), "admin": .bool(user.admin), "groups": .array([])]
            if principal.scopes.allows("read:users", user: user.name) {
                let builder = components.models(for: principal)
                let records = try await components.users.servers(of: user)
                if case .object(let full)? = builder.user(user, records: records,
                                                          lifecycles: await components.hub.lifecycles(ofUser: user.name)) {
                    model.merge(full) { _, new in new }
                }
            }
        case .service(let name):
            model = ["kind": "service", "name": .string(name), "admin": .bool(principal.scopes.hasUnfiltered("admin:users")),
                     "roles": .array([]), "url": "", "prefix": "", "command": .array([]), "pid": 0, "info": .object([:])]
        }
        model["scopes"] = .array(principal.scopes.sorted.map { .string($0) })
        model["token_id"] = principal.token.map { .string($0.publicID) } ?? .null
        model["session_id"] = principal.sessionID.map { .string($0) } ?? .null
        return JSONResponse.make(.object(model))
    }

    @Sendable func metrics(_ request: Request, context: HubRequestContext) async throws -> Response {
        if components.config.hub.authenticateMetrics {
            let principal = try context.requirePrincipal()
            guard principal.scopes.hasUnfiltered("read:metrics") else { throw HubError.forbidden("Action requires read:metrics") }
        }
        let periods = [("24h", 86400.0), ("7d", 7 * 86400.0), ("30d", 30 * 86400.0)]
        let counts = try await components.users.activityCounts(periods: periods.map(\.1))
        components.metrics.totalUsers.set(Int64(counts.total))
        for ((period, _), active) in zip(periods, counts.active) {
            components.metrics.activeUsers(period: period).set(Int64(active))
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: .init(byteBuffer: ByteBuffer(string: components.metrics.render())))
    }
}

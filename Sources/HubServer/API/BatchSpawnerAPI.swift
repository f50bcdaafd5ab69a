import HubModel
import Hummingbird

/// `POST /hub/api/batchspawner`: a batch job reports the port its server listens on, as
/// `batchspawner-singleuser` does. Unlike batchspawner, only `port` is taken (never `ip` or any
/// other attribute); the host always comes from the scheduler.
struct BatchSpawnerAPI {
    let components: HubComponents

    func register(on router: RouterGroup<HubRequestContext>) {
        router.post("/hub/api/batchspawner", use: report)
    }

    @Sendable func report(_ request: Request, context: HubRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let tokenID = principal.token?.id else {
            throw HubError.forbidden("Only a server's own API token may report its port")
        }
        guard let body = try await request.decodeJSONBody(limit: 4096)?.objectValue,
              let port = body["port"]?.intValue, (1...65535).contains(port) else {
            throw HubError.badRequest("Body must be {\"port\": <1-65535>}")
        }
        switch try await components.hub.reportPort(port, tokenID: tokenID) {
        case .accepted: return JSONResponse.make(.object(["message": "BatchSpawner data configured"]))
        case .alreadyReported: throw HubError.conflict("A port was already reported for this server")
        case .noPendingServer: throw HubError.notFound("No pending server uses this token")
        }
    }
}

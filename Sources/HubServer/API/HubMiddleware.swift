import Foundation
import HubModel
import HTTPTypes
import Hummingbird

/// The JupyterHub API version advertised in `X-JupyterHub-Version` and `GET /hub/api`.
public enum HubVersion {
    public static let jupyterHubAPI = "5.5.1"
    public static let slurmhub = "0.1.0"
}

/// Adds JupyterHub's headers to every response, turns errors into JSON (API) or pages,
/// and records `jupyterhub_request_duration_seconds`.
struct HubMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let components: HubComponents

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let isAPI = request.uri.path.hasPrefix("/hub/api")
        var response: Response
        do {
            // JupyterHub answers `OPTIONS` on the API (CORS preflight) with an empty 200.
            response = isAPI && request.method == .options ? JSONResponse.empty(.ok) : try await next(request, context)
        } catch let error as APIError {
            response = isAPI ? JSONResponse.error(error)
                : components.pages.errorPage(status: error.status, message: error.message, request: request)
        } catch let error as HTTPError {
            let apiError = APIError(error.status, error.body ?? error.status.reasonPhrase)
            response = isAPI ? JSONResponse.error(apiError)
                : components.pages.errorPage(status: error.status, message: apiError.message, request: request)
        } catch let error as NameError {
            response = isAPI ? JSONResponse.error(.badRequest(error.message))
                : components.pages.errorPage(status: .badRequest, message: error.message, request: request)
        } catch {
            context.logger.error("unhandled error in \(request.method) \(request.uri.path): \(error)")
            let message = "Internal server error; the hub's log has the details"
            response = isAPI ? JSONResponse.error(APIError(.internalServerError, message))
                : components.pages.errorPage(status: .internalServerError, message: message, request: request)
        }
        response.headers[.jupyterHubVersion] = HubVersion.jupyterHubAPI
        response.headers[.accessControlAllowHeaders] = "accept, content-type, authorization"
        let csp = "frame-ancestors 'none'; report-uri /hub/security/csp-report"
        response.headers[.contentSecurityPolicy] = isAPI ? "default-src 'none'; " + csp : csp
        if !isAPI { response.headers[.xFrameOptions] = "DENY" }
        response.headers[.xContentTypeOptions] = "nosniff"
        let handler = context.coreContext.endpointPath.value ?? "unknown"
        components.metrics.requestDuration(method: request.method.rawValue, handler: handler, code: response.status.code)
            .recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        return response
    }
}

/// The hub's request context: a limit on buffered request bodies.
public struct HubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
    public var maxUploadSize: Int { 1_048_576 }
}

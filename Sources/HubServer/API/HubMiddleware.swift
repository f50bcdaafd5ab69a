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
/// and records `jupyterhub_request_duration_seconds`. Pages get a content security policy that
/// allows only the hub's own resources (and the site logo's origin, from the live configuration: a reload
/// that changes `ui.logo_url` applies to the next page) and may not be framed.
struct HubMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let components: HubComponents

    /// `default-src 'self'`; images also from `data:` and the logo's origin; inline styles and scripts
    /// (the pages' own); never in a frame.
    static func pagePolicy(logoOrigin: String?) -> String {
        "default-src 'self'; img-src 'self' data:\(logoOrigin.map { " " + $0 } ?? ""); style-src 'self' 'unsafe-inline'; "
            + "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let isAPI = request.uri.path.hasPrefix("/hub/api")
        var response: Response
        do {
            // JupyterHub answers `OPTIONS` on the API (CORS preflight) with an empty 200.
            response = isAPI && request.method == .options ? JSONResponse.empty(.ok) : try await next(request, context)
        } catch let error as HubError {
            response = isAPI ? JSONResponse.error(error) : await errorPage(request, status: error.status, message: error.message)
        } catch let error as HTTPError {
            var message = error.body ?? error.status.reasonPhrase
            if error.status == .notFound, error.body == nil { message = "There is no page at \(request.uri.path)." }
            response = isAPI ? JSONResponse.error(error.status, message)
                : await errorPage(request, status: error.status, message: message)
        } catch let error as NameError {
            response = isAPI ? JSONResponse.error(.badRequest(error.message))
                : await errorPage(request, status: .badRequest, message: error.message)
        } catch {
            context.logger.error("unhandled error in \(request.method) \(request.uri.path): \(error)")
            let message = "Internal server error; the hub's log has the details"
            response = isAPI ? JSONResponse.error(HubError.failed(message))
                : await errorPage(request, status: .internalServerError, message: message)
        }
        response.headers[.jupyterHubVersion] = HubVersion.jupyterHubAPI
        response.headers[.accessControlAllowHeaders] = "accept, content-type, authorization"
        if isAPI {
            response.headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'; report-uri /hub/security/csp-report"
        } else {
            response.headers[.contentSecurityPolicy] = Self.pagePolicy(logoOrigin: components.config.ui.logoOrigin)
            response.headers[.xFrameOptions] = "DENY"
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        let handler = context.coreContext.endpointPath.value ?? "unknown"
        components.metrics.requestDuration(method: request.method.rawValue, handler: handler, code: response.status.code)
            .recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        return response
    }

    /// An error page in the hub's look, with the header's navigation if the browser is logged in.
    func errorPage(_ request: Request, status: HTTPResponse.Status, message: String) async -> Response {
        let user = try? await components.cookieUser(request)
        return components.pages.errorPage(status: status, message: message, user: user ?? nil)
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

import Foundation
import HTTPTypes
import HubConfig
import HubModel
import Hummingbird
import Prometheus

/// The JupyterHub API version advertised in `X-JupyterHub-Version` and `GET /hub/api`.
public enum HubVersion {
    public static let jupyterHubAPI = "5.5.1"
    public static let slurmhub = "0.1.0"
}

/// Adds JupyterHub's headers to every response, answers requests that match no route (JSON under `/hub/api`,
/// an error page elsewhere), and records `jupyterhub_request_duration_seconds`. Pages get a content security policy that
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
        } catch {
            // Routes answer their own errors (their group's error middleware); what arrives here matched no route.
            let answer = ErrorAnswer(error, request: request, logger: context.logger)
            response = isAPI ? answer.json : answer.page(components, user: try? await components.cookieUser(request))
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
        if components.config.hub.tls.enabled {
            // One year, as browsers' preload lists ask; the hub's own host only (user servers may live elsewhere).
            response.headers[.strictTransportSecurity] = "max-age=31536000"
        }
        if let location = response.headers[.location] {
            response.headers[.location] = HubURLs.sameOriginLocation(location)
        }
        let handler = context.coreContext.endpointPath.value ?? "unknown"
        components.metrics.requestDuration(method: request.method.rawValue, handler: handler, code: response.status.code)
            .recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        return response
    }
}

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

    /// With `hub.subdomain_host`, hub pages are served on the hub's host only: a browser that reaches the hub
    /// through the proxy on a user's host (a server that is not running, or any other `/hub/` path there) is
    /// sent to the same path on the hub's origin, so that no hub page, login form or cookie ever lives on an
    /// origin a user's server shares. Token-authenticated API calls and the health check stay answered anywhere
    /// (hub cookies are host-only, so nothing ambient comes with them); requests that did not come through
    /// the proxy (servers calling `hub.api_bind`) carry no `X-Forwarded-Host` and are not affected.
    static func canonicalHostRedirect(_ request: Request, origins: UserOrigins?) -> Response? {
        guard let origins, let host = request.headers[.xForwardedHost], !origins.isHubHost(host) else { return nil }
        let path = request.uri.path
        if path.hasPrefix("/hub/api/") || path == "/hub/api" || path == "/hub/health" { return nil }
        guard [.get, .head].contains(request.method) else {
            return JSONResponse.make(.object(["message": .string("Use \(origins.hubOrigin) for the hub")]), status: .forbidden)
        }
        let location = origins.hubOrigin + HubURLs.sameOriginLocation(request.uri.description)
        return Response.redirect(to: location, type: .found)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let isAPI = request.uri.path.hasPrefix("/hub/api")
        var response: Response
        do {
            if let redirect = Self.canonicalHostRedirect(request, origins: components.serverURLs.origins) {
                response = redirect
            } else if isAPI && request.method == .options {
                // JupyterHub answers `OPTIONS` on the API (CORS preflight) with an empty 200.
                response = JSONResponse.empty(.ok)
            } else {
                response = try await next(request, context)
            }
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

import HubModel
import Hummingbird

/// Finds out once, before the handler runs, who makes a request, and puts it in the context
/// (``HubRequestContext/identity``, ``HubRequestContext/loginUser``).
///
/// The two surfaces authenticate differently, as JupyterHub's do: the REST API takes a token header first and
/// the login cookie otherwise (with `X-XSRFToken` on unsafe methods); pages take only the login cookie, and a
/// logged-in form post must carry the form's `_xsrf` field.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    enum Surface: Sendable { case api, pages }

    let components: HubComponents
    let surface: Surface
    /// Form posts are read up to this size to find their `_xsrf` field (as the page handlers read them).
    static let formLimit = 65536

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let loginUser = try await components.cookieUser(request)
        context.loginUser = loginUser
        switch surface {
        case .api:
            context.identity = try await components.apiIdentity(request, loginUser: loginUser)
        case .pages:
            context.identity = try await pageIdentity(&request, loginUser: loginUser)
        }
        return try await next(request, context)
    }

    /// A logged-in page request; a form post (read here, and kept for the handler) must carry `_xsrf`.
    func pageIdentity(_ request: inout Request, loginUser: User?) async throws -> RequestIdentity {
        guard let user = loginUser else { return .anonymous }
        if ![.get, .head, .options].contains(request.method) {
            let isForm = request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
            var given = ""
            if isForm {
                let buffer: ByteBuffer
                do {
                    buffer = try await request.collectBody(upTo: Self.formLimit)
                } catch {
                    throw HubError.tooLarge("Request body too large")
                }
                given = FormDecoding.parse(String(buffer: buffer))["_xsrf"] ?? ""
            }
            guard components.xsrfMatches(request, given) else {
                return .refused(.forbidden("XSRF cookie does not match POST argument"))
            }
        }
        return .principal(components.cookiePrincipal(user, request))
    }
}

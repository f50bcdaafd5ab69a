import HubModel
import Hummingbird
import Logging

/// What the hub answers for an error a handler threw: status, message and `Retry-After`, the same on both
/// surfaces (the API writes it as JSON, the pages as an error page).
struct ErrorAnswer: Sendable {
    let status: HTTPResponse.Status
    let message: String
    var retryAfter: Int?

    init(status: HTTPResponse.Status, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    /// Domain errors keep their message; the router's own (no such route) and name errors are mapped; anything
    /// else is logged and answered 500 without details.
    init(_ error: any Error, request: Request, logger: Logger) {
        switch error {
        case let error as HubError:
            self.init(status: error.status, message: error.message, retryAfter: error.retryAfter)
        case let error as HTTPError:
            var message = error.body ?? error.status.reasonPhrase
            if error.status == .notFound, error.body == nil { message = "There is no page at \(request.uri.path)." }
            self.init(status: error.status, message: message)
        case let error as NameError:
            self.init(status: .badRequest, message: error.message)
        default:
            logger.error("unhandled error in \(request.method) \(request.uri.path): \(error)")
            self.init(status: .internalServerError, message: "Internal server error; the hub's log has the details")
        }
    }

    /// JupyterHub's JSON error body.
    var json: Response { JSONResponse.error(status, message, retryAfter: retryAfter) }

    /// The hub's error page, with the header's navigation when `user` is logged in.
    func page(_ components: HubComponents, user: User?) -> Response {
        components.pages.errorPage(status: status, message: message, user: user)
    }
}

/// Turns whatever a REST API handler throws into JupyterHub's JSON error.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ErrorAnswer(error, request: request, logger: context.logger).json
        }
    }
}

/// Turns whatever a page handler throws into an error page in the hub's look.
struct PageErrorMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let components: HubComponents

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            // This middleware runs outside the identity middleware (so that its errors become pages too), so the
            // context here has no login user yet: the page's header looks it up itself.
            let user = try? await components.cookieUser(request)
            return ErrorAnswer(error, request: request, logger: context.logger).page(components, user: user ?? nil)
        }
    }
}

import HubModel
import Hummingbird

/// The hub's request context: a limit on buffered request bodies, and who is asking (``identity``, filled in by
/// ``IdentityMiddleware`` before any handler runs).
public struct HubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who made the request, as this surface (API or pages) authenticates it.
    public var identity: RequestIdentity = .anonymous
    /// The user of a valid login cookie, whatever else authenticated the request (pages show who is logged in).
    public var loginUser: User?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { 1_048_576 }

    /// The caller, or 403: `Missing or invalid credentials.`, or why the credentials given cannot be used.
    func requirePrincipal() throws -> Principal {
        switch identity {
        case .principal(let principal): return principal
        case .anonymous: throw HubError.missingCredentials
        case .refused(let error): throw error
        }
    }

    /// The logged-in caller of a page, nil when nobody is logged in (the page sends them to the login);
    /// throws when a logged-in form post lacks its XSRF token.
    func pagePrincipal() throws -> Principal? {
        switch identity {
        case .principal(let principal): return principal
        case .anonymous: return nil
        case .refused(let error): throw error
        }
    }
}

/// Who made a request.
public enum RequestIdentity: Sendable {
    case anonymous
    case principal(Principal)
    /// Credentials came with the request but cannot be used for it (a cookie login on an unsafe method
    /// without the XSRF token): whatever needs a principal answers this error; the rest runs as before.
    case refused(HubError)
}

/// Why the hub refused or could not do what a caller asked, in the hub's own terms.
///
/// Orchestration and the use cases throw this; the REST API turns it into JupyterHub's JSON error
/// (`{"status": …, "message": …}`) and the pages into an error page or a message next to a form field.
/// No HTTP type appears here: the mapping to status codes lives with the listeners (`HubError+HTTP`).
public enum HubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request is malformed or not allowed in the current state (JupyterHub answers 400).
    case badRequest(String)
    /// A spawn option was refused by the spawner; `field` names the option when the refusal is about one.
    case invalidOption(field: String?, reason: String?, message: String)
    /// No usable credentials came with the request.
    case missingCredentials
    /// The caller is known but lacks the scope or role.
    case forbidden(String)
    case notFound(String)
    /// The thing to create exists already.
    case conflict(String)
    /// A request body over the configured limit.
    case tooLarge(String)
    /// A spawn limit was reached; retry after this many seconds.
    case tooManyRequests(String, retryAfter: Int)
    /// Something the request depends on is not working right now (a proxy that does not route, say).
    case unavailable(String)
    /// An operation that was accepted failed (a spawn that did not come up).
    case failed(String)

    public var message: String {
        switch self {
        case .badRequest(let message), .forbidden(let message), .notFound(let message), .conflict(let message),
             .tooLarge(let message), .tooManyRequests(let message, _), .unavailable(let message), .failed(let message):
            return message
        case .invalidOption(_, _, let message): return message
        case .missingCredentials: return "Missing or invalid credentials."
        }
    }

    public var description: String { message }

    static func notFound() -> HubError { .notFound("Not Found") }
}

import HTTPTypes

/// The HTTP status JupyterHub answers for each ``HubError``; the API and the pages share it.
extension HubError {
    var status: HTTPResponse.Status {
        switch self {
        case .badRequest, .invalidOption: return .badRequest
        case .missingCredentials, .forbidden: return .forbidden
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .tooLarge: return .contentTooLarge
        case .tooManyRequests: return .tooManyRequests
        case .unavailable: return .serviceUnavailable
        case .failed: return .internalServerError
        }
    }

    /// Seconds for a `Retry-After` header (429).
    var retryAfter: Int? {
        if case .tooManyRequests(_, let seconds) = self { return seconds }
        return nil
    }
}

extension HTTPResponse.Status {
    /// 424, which JupyterHub answers for a stopped server.
    static let failedDependency424 = HTTPResponse.Status(code: 424, reasonPhrase: "Failed Dependency")
}

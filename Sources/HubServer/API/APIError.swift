import HTTPTypes
import Hummingbird

/// An error answered as JupyterHub does: JSON `{"status": code, "message": "..."}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let message: String
    /// Seconds for a `Retry-After` header (429).
    public let retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(message)" }

    static func notFound(_ message: String = "Not Found") -> APIError { APIError(.notFound, message) }
    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    static let missingCredentials = APIError(.forbidden, "Missing or invalid credentials.")
}

extension HTTPResponse.Status {
    /// 424, which JupyterHub answers for a stopped server.
    static let failedDependency424 = HTTPResponse.Status(code: 424, reasonPhrase: "Failed Dependency")
}

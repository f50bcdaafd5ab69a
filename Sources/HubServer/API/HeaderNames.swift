import HTTPTypes

/// Header names the hub uses that HTTPTypes does not predefine.
extension HTTPField.Name {
    static let jupyterHubVersion = known("X-JupyterHub-Version")
    static let xFrameOptions = known("X-Frame-Options")
    static let xContentTypeOptions = known("X-Content-Type-Options")
    static let strictTransportSecurity = known("Strict-Transport-Security")
    static let xXSRFToken = known("X-XSRFToken")
    /// The `Host` a browser used, as the proxy saw it (the proxy overwrites what clients send).
    static let xForwardedHost = known("X-Forwarded-Host")
    /// Where a browser request comes from (`same-origin`, `same-site`, `cross-site`, `none`).
    static let secFetchSite = known("Sec-Fetch-Site")

    /// A header name written in the source; the literal is a valid token, so this never fails.
    private static func known(_ name: String) -> HTTPField.Name {
        guard let parsed = HTTPField.Name(name) else { preconditionFailure("invalid header name \(name)") }
        return parsed
    }
}

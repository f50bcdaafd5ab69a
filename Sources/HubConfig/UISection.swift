import Foundation

/// `ui.*`: how the hub's pages look (site name, logo, documentation link) and where a site's own
/// templates come from.
public struct UISection: Sendable, Codable, Equatable {
    /// Shown in every page's header and title.
    public var siteName: String
    /// An `http(s)` URL, a path on this hub, or a `data:image/…` URI; empty: no logo.
    public var logoURL: String
    /// An `http(s)` URL or a path, linked as "Documentation" in the header; empty: no link.
    public var docsURL: String
    /// A directory whose `*.mustache` files replace the shipped templates of the same name; empty: shipped only.
    public var templatesDir: String

    enum CodingKeys: String, CodingKey {
        case siteName = "site_name", logoURL = "logo_url", docsURL = "docs_url", templatesDir = "templates_dir"
    }

    public init(siteName: String = "slurmhub", logoURL: String = "", docsURL: String = "", templatesDir: String = "") {
        self.siteName = siteName
        self.logoURL = logoURL
        self.docsURL = docsURL
        self.templatesDir = templatesDir
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(siteName: try container.decode(String.self, forKey: .siteName),
                  logoURL: try container.decode(String.self, forKey: .logoURL),
                  docsURL: try container.decode(String.self, forKey: .docsURL),
                  templatesDir: try container.decode(String.self, forKey: .templatesDir))
        try validate()
    }

    /// Refuses values that could not be rendered safely into pages and headers.
    public func validate() throws {
        guard !siteName.isEmpty, siteName.count <= 100, !siteName.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ConfigError("ui.site_name must be 1 to 100 printable characters")
        }
        if !logoURL.isEmpty, !Self.isLink(logoURL), !Self.isImageData(logoURL) {
            throw ConfigError("ui.logo_url must be an http(s) URL, a path starting with /, or a data:image/ URI")
        }
        if !docsURL.isEmpty, !Self.isLink(docsURL) {
            throw ConfigError("ui.docs_url must be an http(s) URL or a path starting with /")
        }
        if !templatesDir.isEmpty, !templatesDir.hasPrefix("/") {
            throw ConfigError("ui.templates_dir must be an absolute path")
        }
    }

    /// The scheme, host and port of an absolute `logo_url` (for the pages' `img-src`); nil otherwise.
    public var logoOrigin: String? {
        guard !logoURL.hasPrefix("/"), let url = URL(string: logoURL), let scheme = url.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = url.host else { return nil }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    static func isLink(_ text: String) -> Bool {
        guard text.count <= 2000, !text.contains(where: { $0.isWhitespace || $0.isNewline || "\"'<>;\\`".contains($0) })
        else { return false }
        if text.hasPrefix("/") { return !text.hasPrefix("//") }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
        return ["http", "https"].contains(scheme) && !(url.host ?? "").isEmpty
    }

    static func isImageData(_ text: String) -> Bool {
        text.hasPrefix("data:image/") && text.count <= 200_000
            && !text.contains(where: { $0.isWhitespace || $0.isNewline || "\"'<>".contains($0) })
    }
}

import Foundation
import HubModel
import Hummingbird
import Mustache

/// Renders the hub's HTML pages from Mustache templates (shipped in the binary's resources,
/// or a site directory with the same file names).
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let siteName: String

    /// Loads templates from `directory`, or the built-in ones when nil.
    public static func load(directory: String? = nil, siteName: String = "slurmhub") async throws -> PageRenderer {
        let path = directory ?? Bundle.module.url(forResource: "Resources", withExtension: nil)?
            .appendingPathComponent("templates").path ?? "templates"
        return PageRenderer(library: try await MustacheLibrary(directory: path), siteName: siteName)
    }

    /// A full page: `template` rendered into the page layout.
    func page(_ template: String, title: String, user: String?, values: [String: Any],
              status: HTTPResponse.Status = .ok) -> Response {
        let body = library.render(values, withTemplate: template) ?? "template \(template) missing"
        var layout: [String: Any] = ["title": title, "site_name": siteName, "body": body]
        if let user { layout["user"] = user }
        let html = library.render(layout, withTemplate: "page") ?? body
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// An error page in the hub's look.
    func errorPage(status: HTTPResponse.Status, message: String, request: Request? = nil,
                   restartURL: String? = nil, xsrf: String = "") -> Response {
        var values: [String: Any] = ["status_code": status.code, "status_message": status.reasonPhrase,
                                     "message": message, "xsrf": xsrf]
        if let restartURL { values["restart_url"] = restartURL }
        return page("error", title: "\(status.code) \(status.reasonPhrase)", user: nil, values: values, status: status)
    }
}

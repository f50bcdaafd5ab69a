import Foundation
import HubConfig
import HubModel
import Hummingbird
import Mustache

/// Renders the hub's HTML pages from Mustache templates: the ones shipped in the binary's resources,
/// each replaceable by a file of the same name in `ui.templates_dir`. Every page is rendered into
/// the `page` layout, which carries the site's name, logo and documentation link.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let ui: UISection

    /// Loads the shipped templates, then the site's (`ui.templates_dir`) over them.
    public static func load(ui: UISection = UISection()) async throws -> PageRenderer {
        let shipped = Bundle.module.url(forResource: "Resources", withExtension: nil)?
            .appendingPathComponent("templates").path ?? "templates"
        var library = try await MustacheLibrary(directory: shipped)
        if !ui.templatesDir.isEmpty {
            for (name, path) in try siteTemplates(in: ui.templatesDir) {
                do {
                    try library.register(String(contentsOfFile: path, encoding: .utf8), named: name)
                } catch {
                    throw ConfigError("ui.templates_dir: \(path) is not a valid template: \(error)")
                }
            }
        }
        return PageRenderer(library: library, ui: ui)
    }

    /// `name` → path of every `*.mustache` file directly in `directory`.
    static func siteTemplates(in directory: String) throws -> [(String, String)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigError("ui.templates_dir \(directory) cannot be read: \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".mustache") }.sorted().map {
            (String($0.dropLast(".mustache".count)), directory + "/" + $0)
        }
    }

    /// A full page: `template` rendered into the page layout. `user` fills the header's navigation.
    func page(_ template: String, title: String, user: User?, values: [String: Any],
              status: HTTPResponse.Status = .ok) -> Response {
        var context = values
        context["site_name"] = ui.siteName
        let body = library.render(context, withTemplate: template) ?? "template \(template) missing"
        var layout: [String: Any] = [
            "title": title, "site_name": ui.siteName, "body": body, "page": template,
        ]
        if !ui.logoURL.isEmpty { layout["logo_url"] = ui.logoURL }
        if !ui.docsURL.isEmpty { layout["docs_url"] = ui.docsURL }
        if let refresh = values["refresh_seconds"] { layout["refresh_seconds"] = refresh }
        if let user {
            layout["user"] = user.name
            layout["admin"] = user.admin
        }
        let html = library.render(layout, withTemplate: "page") ?? body
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// An error page in the hub's look; `restartURL` adds a button that starts the server again.
    func errorPage(status: HTTPResponse.Status, message: String, request: Request? = nil, user: User? = nil,
                   restartURL: String? = nil, xsrf: String = "") -> Response {
        var values: [String: Any] = ["status_code": status.code, "status_message": status.reasonPhrase,
                                     "message": message, "xsrf": xsrf]
        if let restartURL { values["restart_url"] = restartURL }
        if status == .notFound { values["not_found"] = true }
        if status == .forbidden { values["forbidden"] = true }
        if status.code == 503 { values["unavailable"] = true }
        return page("error", title: "\(status.code) \(status.reasonPhrase)", user: user, values: values, status: status)
    }
}

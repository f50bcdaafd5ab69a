import Foundation
import HubModel
import Hummingbird

/// What every page needs: the login redirect and a page response with its XSRF cookie.
extension HubComponents {
    /// The login page, coming back to this page afterwards.
    static func loginRedirect(_ request: Request) -> Response {
        Response.redirect(to: "/hub/login?next=\(PathQuoting.quote(request.uri.description))", type: .found)
    }

    /// A page response with the XSRF cookie set if the request had none.
    func page(_ request: Request, _ template: String, title: String, user: User?, values: [String: Any],
              status: HTTPResponse.Status = .ok) -> Response {
        let (xsrf, cookie) = xsrfToken(request)
        var values = values
        values["xsrf"] = xsrf
        var response = pages.page(template, title: title, user: user, values: values, status: status)
        response.setCookies([cookie])
        return response
    }
}

/// URL paths of a server's pages.
enum PagePaths {
    /// `/alice` or `/alice/name`, quoted.
    static func suffix(user: String, server: String) -> String {
        "/" + PathQuoting.quote(user) + (server.isEmpty ? "" : "/" + PathQuoting.quote(server))
    }

    static func spawn(user: String, server: String) -> String { "/hub/spawn" + suffix(user: user, server: server) }
    static func pending(user: String, server: String) -> String { "/hub/spawn-pending" + suffix(user: user, server: server) }
    static func stop(user: String, server: String) -> String { "/hub/stop" + suffix(user: user, server: server) }

    static func progress(user: String, server: String) -> String {
        server.isEmpty
            ? "/hub/api/users/\(PathQuoting.quote(user))/server/progress"
            : "/hub/api/users/\(PathQuoting.quote(user))/servers/\(PathQuoting.quote(server))/progress"
    }

    /// The target of a page URL `…/:name[/:server]`: an existing user and a valid server name.
    static func target(_ components: HubComponents, _ context: HubRequestContext) async throws -> (User, String) {
        let user = try await components.users.existing(try context.parameters.require("name"))
        let server = context.parameters.get("server").map { $0.removingPercentEncoding ?? $0 } ?? ""
        try ServerNamePolicy.validate(server)
        return (user, server)
    }

    /// A timestamp for tables, `2026-11-22 10:04 UTC`, or an em dash.
    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        let text = Timestamp.format(date)
        guard text.count >= 16 else { return text }
        return text.prefix(10) + " " + text.dropFirst(11).prefix(5) + " UTC"
    }
}

import Foundation
import HubModel
import HubSpawner
import Hummingbird

/// `/hub/spawn[/{user}[/{server}]]`: the spawn form (GET), its submission (POST), and spawn links
/// (`/hub/spawn?partition=…&nprocs=…&runtime=…`, MOSS's names or JupyterHub 6's `opt-partition=…`).
/// A GET never starts anything (bookmarks, links in mail and chat, other sites' pages can all make one): a
/// link's options are checked and fill the form, or a one-button page without a form; starting takes the
/// form's POST with `_xsrf` (or the REST API with a token). A refused option is shown next to its field with
/// the user's values kept. Starting goes through ``ServerActions`` with the REST API's scope (`servers`).
struct SpawnPages {
    let components: HubComponents

    func register(on router: RouterGroup<HubRequestContext>) {
        for path in ["/hub/spawn", "/hub/spawn/:name", "/hub/spawn/:name/:server"] {
            router.get(RouterPath(path), use: show)
            router.post(RouterPath(path), use: submit)
        }
    }

    /// Who and which server a request is about: `:name[/:server]`, or the caller's default server.
    func target(_ me: User, _ context: HubRequestContext) async throws -> (User, String) {
        context.parameters.get("name") == nil ? (me, "") : try await PagePaths.target(components, context)
    }

    @Sendable func show(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let principal = try context.pagePrincipal(), let me = principal.user else {
            return HubComponents.loginRedirect(request)
        }
        let (user, server) = try await target(me, context)
        try principal.require("servers", onServer: server, of: user.name)
        if let redirect = await redirectIfActive(user: user.name, server: server, type: .found) { return redirect }
        let form = await components.servers.optionsForm()
        let query = Self.linkOptions(request)
        let page = Page(request: request, me: me, user: user, server: server)
        if query.isEmpty {
            guard let form else { return render(page, confirm: [:]) }
            return render(page, SpawnFormView(form: form, input: SpawnFormInput(remembered: user.lastUserOptions, form: form)))
        }
        let input = SpawnFormInput(query: query)
        guard let form else { return render(page, confirm: input.values) }
        return try prefill(page, input: input, form: form)
    }

    /// A link's options in the form: checked by the spawner (a refusal shows next to its field, 400), never started.
    func prefill(_ page: Page, input: SpawnFormInput, form: SpawnForm) throws -> Response {
        if let refusal = try refuseControlCharacters(page, input: input, form: form) { return refusal }
        do {
            try components.servers.validate(input.options(for: form))
        } catch HubError.invalidOption(let field, let reason, let message) {
            return try refuse(page, input: input, form: form, field: field, reason: reason, message: message)
        }
        var view = SpawnFormView(form: form, input: input)
        view.notice = "A link filled in these options; check them and press Start."
        return render(page, view)
    }

    /// The form again when a value holds a line break or another control character (before the spawner sees it).
    func refuseControlCharacters(_ page: Page, input: SpawnFormInput, form: SpawnForm?) throws -> Response? {
        guard let field = input.controlCharacterField else { return nil }
        let reason = "must be one line without control characters"
        return try refuse(page, input: input, form: form, field: field, reason: reason,
                          message: SpawnError(field: field, reason: reason).message)
    }

    /// The query's options, JupyterHub 6's `opt-<name>` read as `<name>` (and winning over a plain `<name>`).
    static func linkOptions(_ request: Request) -> [String: String] {
        var options: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where !key.hasPrefix("opt-") { options[String(key)] = String(value) }
        for (key, value) in request.uri.queryParameters where key.hasPrefix("opt-") && key.count > 4 {
            options[String(key.dropFirst(4))] = String(value)
        }
        return options
    }

    @Sendable func submit(_ request: Request, context: HubRequestContext) async throws -> Response {
        let fields = try await request.decodeForm()
        guard let principal = try context.pagePrincipal(), let me = principal.user else {
            return HubComponents.loginRedirect(request)
        }
        var (user, server) = try await target(me, context)
        if server.isEmpty, let named = fields["server_name"], !named.isEmpty {
            try ServerNamePolicy.validate(named)
            server = named
        }
        try principal.require("servers", onServer: server, of: user.name)
        if let redirect = await redirectIfActive(user: user.name, server: server, type: .normal) { return redirect }
        let page = Page(request: request, me: me, user: user, server: server)
        guard let input = SpawnFormInput(posted: fields) else {
            // A bare start button (home page, "restart" on an error page): the form first, if there is one.
            if components.servers.hasOptionsForm {
                return Response.redirect(to: PagePaths.spawn(user: user.name, server: server), type: .normal)
            }
            return try await start(principal, page, input: nil, form: nil)
        }
        return try await start(principal, page, input: input, form: await components.servers.optionsForm())
    }

    /// The request and whose server it is about.
    struct Page {
        let request: Request
        let me: User
        let user: User
        let server: String

        var displayName: String {
            let owner = me.name == user.name ? "your" : "\(user.name)'s"
            return server.isEmpty ? "\(owner) server" : "\(owner) server \(server)"
        }
    }

    /// Starts (the spawner checks the options once; a refusal goes back to the form, 400); then the pending page (303).
    func start(_ principal: Principal, _ page: Page, input: SpawnFormInput?, form: SpawnForm?) async throws -> Response {
        if let input, let refusal = try refuseControlCharacters(page, input: input, form: form) { return refusal }
        do {
            _ = try await components.servers.start(as: principal, user: page.user, server: page.server,
                                                   options: input?.options(for: form))
        } catch HubError.invalidOption(let field, let reason, let message) where input != nil {
            guard let input else { throw HubError.badRequest(message) }
            return try refuse(page, input: input, form: form, field: field, reason: reason, message: message)
        } catch let error as HubError where error.status != .forbidden && form != nil {
            guard let form, let input else { throw error }
            var view = SpawnFormView(form: form, input: input)
            view.generalError = error.message
            return render(page, view, status: error.status)
        }
        return Response.redirect(to: PagePaths.pending(user: page.user.name, server: page.server), type: .normal)
    }

    /// The form again with the refusal next to its field (or above the form), 400; without a form an error page.
    func refuse(_ page: Page, input: SpawnFormInput, form: SpawnForm?, field: String?, reason: String?, message: String)
        throws -> Response
    {
        guard let form else { throw HubError.badRequest(message) }
        var view = SpawnFormView(form: form, input: input)
        let field = field.map { SpawnFormInput.aliases[$0] ?? $0 }
        if let field, let reason, SpawnFormInput.fields.contains(field) {
            view.errors[field] = reason
        } else {
            view.generalError = message
        }
        return render(page, view, status: .badRequest)
    }

    /// A running server opens; a starting one shows its progress.
    func redirectIfActive(user: String, server: String, type: Response.RedirectType) async -> Response? {
        let lifecycle = await components.hub.lifecycle(user: user, server: server)
        if lifecycle.ready { return Response.redirect(to: components.serverURLs.url(user: user, server: server), type: type) }
        if lifecycle.pending == "spawn" { return Response.redirect(to: PagePaths.pending(user: user, server: server), type: type) }
        return nil
    }

    func render(_ page: Page, _ view: SpawnFormView, status: HTTPResponse.Status = .ok) -> Response {
        let values = view.values(action: PagePaths.spawn(user: page.user.name, server: page.server), displayName: page.displayName)
        return components.page(page.request, "spawn", title: "Start \(page.displayName)", user: page.me, values: values,
                               status: status)
    }

    /// A one-button page for spawners without a form, carrying `values` as hidden fields.
    func render(_ page: Page, confirm values: [String: String]) -> Response {
        components.page(page.request, "spawn", title: "Start \(page.displayName)", user: page.me, values: [
            "confirm": true, "action": PagePaths.spawn(user: page.user.name, server: page.server),
            "display_name": page.displayName, "has_values": !values.isEmpty,
            "hidden": values.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] },
        ])
    }
}

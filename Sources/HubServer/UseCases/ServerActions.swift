import HubModel
import HubSpawner
import HubStore

/// Starting and stopping servers for a caller, with the scopes the REST API requires (`servers`,
/// `delete:servers`): the API handlers and the pages both start and stop through this.
struct ServerActions: Sendable {
    let hub: Hub
    let store: HubStore

    /// The spawn form the spawner offers, or nil when it takes no options.
    func optionsForm() async -> SpawnForm? { await hub.spawner.optionsForm() }

    /// Whether there is a spawn form, without asking anyone.
    var hasOptionsForm: Bool { hub.spawner.hasOptionsForm }

    /// The spawner's name for `/hub/api/info`.
    var spawnerKind: String { hub.spawner.kind }

    /// What the server is doing now.
    func lifecycle(user: String, server: String) async -> ServerLifecycle {
        await hub.lifecycle(user: user, server: server)
    }

    /// Checks `options` with the spawner (once), remembers them as the user's last choice when they were
    /// given, and starts the server in the background. `options` nil: the user's remembered options.
    func start(as principal: Principal, user: User, server: String, options: JSONValue?) async throws -> Hub.SpawnStart {
        try principal.require("servers", onServer: server, of: user.name)
        var user = user
        let validated = try ValidatedOptions(options ?? user.lastUserOptions, checkedBy: hub.spawner)
        if options != nil, validated.value != user.lastUserOptions {
            user.lastUserOptions = validated.value
            try await store.update(user)
        }
        return try await hub.spawn(user: user, server: server, options: validated)
    }

    /// Checks `options` with the spawner without starting anything (a link's options, shown in the form).
    func validate(_ options: JSONValue) throws {
        _ = try ValidatedOptions(options, checkedBy: hub.spawner)
    }

    /// Asks the server to stop; the stop goes on in the background.
    func stop(as principal: Principal, user: User, server: String) async throws {
        try principal.require("delete:servers", onServer: server, of: user.name)
        try await hub.stop(user: user.name, server: server)
    }
}

import HubModel

/// What the hub hands a spawner to start one server.
public struct SpawnRequest: Sendable {
    public var userName: String
    /// Empty for the default server.
    public var serverName: String
    /// The server's base URL path, `/user/alice/` or `/user/alice/name/`.
    public var servicePrefix: String
    /// The JupyterHub environment (§1 of the protocol) without `JUPYTERHUB_SERVICE_URL`,
    /// which the spawner sets once it knows where the server will listen.
    public var environment: [String: String]
    /// Validated options from the spawn form or API body.
    public var userOptions: JSONValue
    /// Where the job's port report (`POST /hub/api/batchspawner`) arrives, for spawners that need it.
    public var portReport: PortReport
    /// Persists intermediate state before the spawn finishes (e.g. a job's tag before it is submitted,
    /// then its id), so that a hub restart or a cancelled spawn can find and stop what was launched.
    public var checkpoint: StateCheckpoint

    public init(userName: String, serverName: String, servicePrefix: String,
                environment: [String: String], userOptions: JSONValue, portReport: PortReport = PortReport(),
                checkpoint: @escaping StateCheckpoint = { _ in }) {
        self.userName = userName
        self.serverName = serverName
        self.servicePrefix = servicePrefix
        self.environment = environment
        self.userOptions = userOptions
        self.portReport = portReport
        self.checkpoint = checkpoint
    }
}

/// Saves a spawner's state for one server; throws when it could not be stored (the spawn must then stop).
public typealias StateCheckpoint = @Sendable (JSONValue) async throws -> Void

/// What a successful `start` returns.
public struct SpawnResult: Sendable {
    /// Where the server listens: `http://ip:port` (no path).
    public var url: String
    /// State to persist so the server can be polled and stopped after a hub restart.
    public var state: JSONValue

    public init(url: String, state: JSONValue) {
        self.url = url
        self.state = state
    }
}

/// One progress message for the spawn-pending page and the progress event-stream.
public struct ProgressEvent: Sendable, Equatable {
    public var progress: Int?
    public var message: String
    public var htmlMessage: String?

    public init(progress: Int? = nil, message: String, htmlMessage: String? = nil) {
        self.progress = progress
        self.message = message
        self.htmlMessage = htmlMessage
    }
}

/// The answer to a poll. "Unknown" (the spawner could not tell) never stops a server.
public enum PollResult: Sendable, Equatable {
    case running
    case gone(exitStatus: Int32?)
    case unknown(reason: String)
}

/// A callback receiving progress while a spawn runs.
public typealias ProgressSink = @Sendable (ProgressEvent) -> Void

/// Starts, polls and stops single-user servers, as JupyterHub's `Spawner` does.
///
/// Implementations keep no per-server memory that a hub restart would lose: everything needed
/// to poll or stop a server goes into the `state` returned by `start`.
public protocol Spawner: Sendable {
    /// Starts a server and returns once it is launched (not necessarily answering HTTP yet).
    /// Throws with a message for the user when the launch fails.
    func start(_ request: SpawnRequest, progress: @escaping ProgressSink) async throws -> SpawnResult

    /// Checks one server.
    func poll(state: JSONValue) async -> PollResult

    /// Checks many servers at once (one scheduler query for all, where the spawner can).
    func pollAll(states: [String: JSONValue]) async -> [String: PollResult]

    /// Stops a server; returns when it is gone. Never leaves it running silently: throws if it could not stop it.
    func stop(state: JSONValue) async throws

    /// A short description for `/hub/api/info`.
    var kind: String { get }

    /// Continues a spawn that was in progress when the hub stopped, from its checkpointed `state`
    /// (the job is still queued, say), without launching anything new.
    func resume(_ request: SpawnRequest, state: JSONValue, progress: @escaping ProgressSink) async throws -> SpawnResult

    /// Checks user options before anything is created or launched; throws `SpawnError` naming the field.
    func validateOptions(_ options: JSONValue) throws

    /// What the user should see about a server that exited on its own (e.g. the end of its output), if known.
    func exitDetails(state: JSONValue) async -> String?

    /// After a restart: stops what this spawner launched that no server row knows any more
    /// (`knownStates` are the states of all rows). Returns a description of each thing stopped.
    func sweepOrphans(knownStates: [JSONValue]) async -> [String]

    /// What the spawn form offers, or nil when this spawner takes no options (the hub then starts
    /// servers without a form). Must answer promptly: slow scheduler queries are left out, not awaited.
    func optionsForm() async -> SpawnForm?

    /// Whether `optionsForm` gives a form, answered without asking anyone (pages link to the form or start directly).
    var hasOptionsForm: Bool { get }
}

extension Spawner {
    /// Default: spawns cannot be resumed; the hub cleans them up instead.
    public func resume(_ request: SpawnRequest, state: JSONValue, progress: @escaping ProgressSink) async throws -> SpawnResult {
        throw SpawnError("The \(kind) spawner cannot resume a spawn interrupted by a hub restart")
    }

    /// Default: options are not interpreted, so any are accepted.
    public func validateOptions(_ options: JSONValue) throws {}

    /// Default: nothing to add.
    public func exitDetails(state: JSONValue) async -> String? { nil }

    /// Default: nothing is launched that the database would not know.
    public func sweepOrphans(knownStates: [JSONValue]) async -> [String] { [] }

    /// Default: no form; servers start with whatever options the request carries.
    public func optionsForm() async -> SpawnForm? { nil }

    /// Default: no form.
    public var hasOptionsForm: Bool { false }

    /// Default: one `poll` per server, run concurrently.
    public func pollAll(states: [String: JSONValue]) async -> [String: PollResult] {
        await withTaskGroup(of: (String, PollResult).self) { group in
            for (key, state) in states {
                group.addTask { (key, await self.poll(state: state)) }
            }
            var results: [String: PollResult] = [:]
            for await (key, result) in group { results[key] = result }
            return results
        }
    }
}

/// A spawn failure with a message for the user.
public struct SpawnError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// The user option the error is about, if it is about one (the spawn form shows `reason` next to it).
    public let field: String?
    /// Why the option was refused, without the field's name (`must be between 1 and 8`).
    public let reason: String?

    public init(_ message: String) {
        self.message = message
        field = nil
        reason = nil
    }

    /// A refused option: the message reads `Invalid option <field>: <reason>`.
    public init(field: String, reason: String) {
        message = "Invalid option \(field): \(reason)"
        self.field = field
        self.reason = reason
    }

    public var description: String { message }
}

import Foundation
import HubModel
import HubSpawner

/// A spawner whose every answer a test decides, recording what the hub asked of it.
///
/// Each launched server's state is `{"id": n, "user": …, "server": …}`; polls answer from ``pollAnswers``
/// by id (else ``defaultPoll``).
final class ScriptedSpawner: Spawner, @unchecked Sendable {
    /// What `start` (and `resume`) does.
    enum Launch: Sendable {
        /// Returns at once with this URL.
        case answer(url: String)
        /// Checkpoints the state (as a job's tag and id would be), then fails with this message.
        case failAfterCheckpoint(String)
        /// Fails before anything was launched.
        case fail(String)
        /// Checkpoints the state, then waits until cancelled (a job pending in the queue).
        case queue
    }

    private let lock = NSLock()
    private var _launch: Launch = .fail("no launch scripted")
    private var _defaultPoll: PollResult = .running
    private var _pollAnswers: [Int: PollResult] = [:]
    private var _started: [SpawnRequest] = []
    private var _resumed: [JSONValue] = []
    private var _stopped: [JSONValue] = []
    private var _pollAllCalls: [[String: JSONValue]] = []
    private var _sweptKnownStates: [[JSONValue]] = []
    private var _stopError: String?
    private var nextID = 0

    var kind: String { "scripted" }

    private func locked<T>(_ body: () -> T) -> T { lock.withLock(body) }

    var launch: Launch {
        get { locked { _launch } }
        set { locked { _launch = newValue } }
    }
    var defaultPoll: PollResult {
        get { locked { _defaultPoll } }
        set { locked { _defaultPoll = newValue } }
    }
    var stopError: String? {
        get { locked { _stopError } }
        set { locked { _stopError = newValue } }
    }
    func setPoll(_ result: PollResult, forID id: Int) { locked { _pollAnswers[id] = result } }
    var started: [SpawnRequest] { locked { _started } }
    var resumed: [JSONValue] { locked { _resumed } }
    var stopped: [JSONValue] { locked { _stopped } }
    var pollAllCalls: [[String: JSONValue]] { locked { _pollAllCalls } }
    var sweptKnownStates: [[JSONValue]] { locked { _sweptKnownStates } }

    /// Refuses any option named `bad`.
    func validateOptions(_ options: JSONValue) throws {
        if options.objectValue?["bad"] != nil { throw SpawnError(field: "bad", reason: "is refused by this spawner") }
    }

    func start(_ request: SpawnRequest, progress: @escaping ProgressSink) async throws -> SpawnResult {
        let (launch, id): (Launch, Int) = locked {
            _started.append(request)
            nextID += 1
            return (_launch, nextID)
        }
        let state: JSONValue = .object(["id": .number(Double(id)), "user": .string(request.userName),
                                        "server": .string(request.serverName)])
        return try await run(launch, state: state, request: request, progress: progress)
    }

    func resume(_ request: SpawnRequest, state: JSONValue, progress: @escaping ProgressSink) async throws -> SpawnResult {
        let launch: Launch = locked {
            _resumed.append(state)
            return _launch
        }
        return try await run(launch, state: state, request: request, progress: progress)
    }

    private func run(_ launch: Launch, state: JSONValue, request: SpawnRequest, progress: @escaping ProgressSink)
        async throws -> SpawnResult {
        switch launch {
        case .answer(let url):
            progress(ProgressEvent(progress: 50, message: "launched"))
            return SpawnResult(url: url, state: state)
        case .fail(let message):
            throw SpawnError(message)
        case .failAfterCheckpoint(let message):
            try await request.checkpoint(state)
            throw SpawnError(message)
        case .queue:
            try await request.checkpoint(state)
            progress(ProgressEvent(progress: 20, message: "pending in queue"))
            try await Task.sleep(for: .seconds(3600))
            throw SpawnError("left the queue")
        }
    }

    func poll(state: JSONValue) async -> PollResult {
        locked { state.objectValue?["id"]?.intValue.flatMap { _pollAnswers[$0] } ?? _defaultPoll }
    }

    func pollAll(states: [String: JSONValue]) async -> [String: PollResult] {
        locked { _pollAllCalls.append(states) }
        var results: [String: PollResult] = [:]
        for (key, state) in states { results[key] = await poll(state: state) }
        return results
    }

    func stop(state: JSONValue) async throws {
        let error: String? = locked {
            _stopped.append(state)
            return _stopError
        }
        if let error { throw SpawnError(error) }
    }

    func sweepOrphans(knownStates: [JSONValue]) async -> [String] {
        locked { _sweptKnownStates.append(knownStates) }
        return []
    }
}

import AsyncHTTPClient
import Foundation
import HubConfig
import HubModel
import HubProxy
import HubSpawner
import HubStore
import Logging
import NIOCore
import NIOHTTP1
import Prometheus

extension Hub {
    /// How a spawn request was taken.
    enum SpawnStart: Sendable { case started, alreadyPending }

    /// Starts a server in the background and returns at once (the API waits separately).
    func spawn(user: User, server: String, options validated: ValidatedOptions) async throws -> SpawnStart {
        let options = validated.value
        let key = Self.key(user.name, server)
        switch entries[key]?.lifecycle ?? .stopped {
        case .spawning: return .alreadyPending
        case .running, .checking: throw HubError.badRequest("\(user.name)'s server \(server.isEmpty ? "" : "'\(server)' ")is already running")
        case .stopping: throw HubError.badRequest("\(user.name)'s server is pending stop")
        case .stopped, .failed: break
        }
        if !server.isEmpty {
            guard config.hub.allowNamedServers else { throw HubError.badRequest("Named servers are not enabled.") }
            try ServerNamePolicy.validate(server)
            let named = lifecycles(ofUser: user.name).filter { !$0.key.isEmpty && $0.value.active }.count
            let limit = config.hub.namedServerLimitPerUser
            if limit > 0, named >= limit {
                throw HubError.badRequest("User \(user.name) already has the maximum of \(limit) named servers. One must be deleted before a new server can be created")
            }
        }
        let spawnLimit = config.hub.concurrentSpawnLimit
        if spawnLimit > 0, pendingSpawns >= spawnLimit {
            metrics.spawnDuration(status: "throttled").recordNanoseconds(0)
            throw HubError.tooManyRequests("Too many users trying to log in right now. Try again in a minute.",
                           retryAfter: Int.random(in: 30...60))
        }
        let activeLimit = config.hub.activeServerLimit
        if activeLimit > 0, activeServers >= activeLimit {
            metrics.spawnDuration(status: "too-many-users").recordNanoseconds(0)
            throw HubError.tooManyRequests("Active user limit exceeded. Try again in a few minutes.",
                           retryAfter: Int.random(in: 30...60))
        }

        let token = Secrets.newToken()
        let prefix = ServerEnvironment.prefix(user: user.name, server: server)
        let record = try await prepareServer(user: user, server: server, options: options, token: token, prefix: prefix)
        var entry = entries[key] ?? ServerEntry()
        entry.lifecycle = try entry.lifecycle.applying(.spawnRequested)
        entry.progress = ProgressLog()
        entry.portReport = PortReport()
        entry.spawnStarted = .now
        entries[key] = entry
        beginSpawn(user: user, record: record, operation: .start(token: token))
        logger.info("spawning server \(key)")
        return .started
    }

    /// Creates the server's token, OAuth client and row before anything is launched.
    private func prepareServer(user: User, server: String, options: JSONValue, token: String, prefix: String)
        async throws -> ServerRecord
    {
        let clientID = ServerEnvironment.clientID(user: user.name, server: server)
        let tokenRecord = try await store.insert(TokenRecord(
            hash: Secrets.hash(token), userName: user.name,
            scopes: ["users:activity!user=\(user.name)", "access:servers!server=\(user.name)/\(server)"],
            note: "Server at \(prefix)"))
        try await store.save(OAuthClient(
            id: clientID, secretHash: Secrets.hash(token), redirectURI: serverURLs.oauthCallback(user: user.name, server: server),
            description: "Server at \(prefix)", allowedScopes: ["access:servers!server=\(user.name)/\(server)"]))
        var record = ServerRecord(userName: user.name, name: server, userOptions: options)
        record.started = Date()
        record.lastActivity = record.started
        record.tokenID = tokenRecord.id
        return try await store.save(record)
    }

    /// How a spawn task launches its server: a new start, or following one interrupted by a restart.
    enum SpawnOperation: Sendable {
        case start(token: String)
        case resume(state: JSONValue)
    }

    /// Runs a spawn in the background as the entry's spawn task.
    func beginSpawn(user: User, record: ServerRecord, operation: SpawnOperation) {
        let key = record.fullName
        entries[key]?.spawnTask = Task { await self.runSpawn(user: user, record: record, operation: operation) }
    }

    /// The spawn itself: launch (state checkpointed as it goes), wait until the server answers, route it.
    private func runSpawn(user: User, record: ServerRecord, operation: SpawnOperation) async {
        let key = record.fullName
        guard let progress = entries[key]?.progress, let portReport = entries[key]?.portReport else { return }
        let prefix = ServerEnvironment.prefix(user: user.name, server: record.name)
        var environment: [String: String] = [:]
        if case .start(let token) = operation {
            environment = self.environment.environment(user: user, server: record.name, token: token)
        }
        let request = SpawnRequest(
            userName: user.name, serverName: record.name, servicePrefix: prefix, environment: environment,
            userOptions: record.userOptions, portReport: portReport,
            checkpoint: { state in try await self.checkpoint(user: user.name, server: record.name, state: state) })
        var record = record
        do {
            let result = try await withTimeout(seconds: config.spawner.startTimeout, what: "Spawner.start") {
                switch operation {
                case .start: return try await self.spawner.start(request, progress: { progress.append($0) })
                case .resume(let state): return try await self.spawner.resume(request, state: state, progress: { progress.append($0) })
                }
            }
            record.url = result.url
            record.state = result.state
            record = try await store.save(record)
            try Task.checkCancellation()
            progress.append(ProgressEvent(progress: 90, message: "Server started, waiting for it to answer at \(result.url)"))
            try await waitUp(url: result.url + prefix + "api", state: result.state)
            try await routes.addRoute(serverURLs.routeSpec(user: user.name, server: record.name), target: result.url, data: [
                "user": .string(user.name), "server_name": .string(record.name), "slurmhub": .bool(true),
            ])
            guard entries[key]?.lifecycle == .spawning else { return }
            transition(key, .spawnSucceeded)
            progress.finish(.ready(url: serverURLs.url(user: user.name, server: record.name)))
            observeSpawn(key, status: "success")
            logger.info("server \(key) ready at \(result.url)")
        } catch {
            // A stop request owns the clean-up of a cancelled spawn.
            guard entries[key]?.lifecycle == .spawning else { return }
            let message = Task.isCancelled ? "Spawn cancelled" : "\(error)"
            logger.error("spawn of \(key) failed: \(message)")
            progress.finish(.failed(message))
            let latest = (try? await store.server(user: record.userName, name: record.name)) ?? record
            if !latest.state.isEmptyObject {
                let spawner = self.spawner
                // Not inside this (possibly cancelled) task, so that the clean-up itself is not cancelled.
                do {
                    try await Task { try await spawner.stop(state: latest.state) }.value
                } catch {
                    logger.error("stopping the failed spawn of \(key): \(error)")
                }
            }
            await cleanUp(record: latest)
            transition(key, .spawnFailed(message))
            observeSpawn(key, status: "failure")
        }
    }

    /// Stores a spawner's intermediate state in the server's row.
    private func checkpoint(user: String, server: String, state: JSONValue) async throws {
        guard var row = try await store.server(user: user, name: server) else {
            throw SpawnError("The server's record is gone")
        }
        row.state = state
        _ = try await store.save(row)
    }

    private func observeSpawn(_ key: String, status: String) {
        if let started = entries[key]?.spawnStarted {
            metrics.spawnDuration(status: status).recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        }
    }

    /// Waits for any non-5xx answer from the server, failing early if the spawner says it is gone
    /// (asked after each failed attempt unless `pollingSpawner` is false: a restore has just polled in bulk).
    func waitUp(url: String, state: JSONValue, pollingSpawner: Bool = true) async throws {
        let deadline = ContinuousClock.now + .seconds(config.spawner.httpTimeout)
        var delay = Duration.milliseconds(50)
        while true {
            try Task.checkCancellation()
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)),
               response.status.code < 500 {
                return
            }
            if pollingSpawner, case .gone(let status) = await spawner.poll(state: state) {
                let details = await spawner.exitDetails(state: state).map { " " + $0 } ?? ""
                throw SpawnError("Server exited before answering" + (status.map { " (exit status \($0))" } ?? "") + details)
            }
            guard ContinuousClock.now < deadline else {
                throw SpawnError("Server at \(url) did not respond within \(Int(config.spawner.httpTimeout)) seconds")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(1))
        }
    }

    /// Removes token, OAuth client and row of a server that is no longer running.
    func cleanUp(record: ServerRecord) async {
        let clientID = ServerEnvironment.clientID(user: record.userName, server: record.name)
        do {
            if let tokenID = record.tokenID { try await store.deleteToken(id: tokenID) }
            try await store.deleteOAuthClient(id: clientID)
            try await store.deleteServer(user: record.userName, name: record.name)
        } catch {
            logger.error("cleaning up server \(record.fullName): \(error)")
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}

extension JSONValue {
    var isEmptyObject: Bool { self == .object([:]) || self == .null }
}

/// Runs `operation`, failing with a timeout error after `seconds`.
func withTimeout<T: Sendable>(seconds: Double, what: String, _ operation: @escaping @Sendable () async throws -> T)
    async throws -> T
{
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw SpawnError("\(what) did not complete within \(Int(seconds)) seconds")
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else { throw CancellationError() }
        return result
    }
}

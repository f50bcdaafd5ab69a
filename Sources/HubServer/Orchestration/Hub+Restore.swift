import Foundation
import HubModel
import HubProxy
import HubSpawner
import HubStore
import Logging
import Prometheus

extension Hub {
    /// After a (re)start: every server row is checked with one bulk poll; live servers get their
    /// routes back and are polled again, gone ones are cleaned up. Servers are never stopped here.
    public func restore() async {
        let started = ContinuousClock.now
        let records: [ServerRecord]
        do {
            records = try await store.allServers()
        } catch {
            logger.error("cannot read servers from the database: \(error)")
            return
        }
        for record in records { transition(record.fullName, .restored) }
        // Spawns interrupted before the server had an address continue where they were.
        let interrupted = records.filter { $0.url == nil && !$0.state.isEmptyObject }
        for record in interrupted { await resumeSpawn(record) }
        let settled = records.filter { !($0.url == nil && !$0.state.isEmptyObject) }
        let results = await spawner.pollAll(states: Dictionary(settled.map { ($0.fullName, $0.state) }) { a, _ in a })
        await withTaskGroup(of: Void.self) { group in
            for record in settled {
                let result = results[record.fullName] ?? .unknown(reason: "no poll result")
                group.addTask { await self.restore(record, result: result) }
            }
        }
        for stray in await spawner.sweepOrphans(knownStates: records.map(\.state)) {
            logger.warning("orphan sweep stopped \(stray)")
        }
        metrics.initSpawnersDuration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        logger.info("restored \(records.count) server(s), \(interrupted.count) of them still spawning")
    }

    /// Follows a spawn that was in progress when the hub stopped.
    private func resumeSpawn(_ record: ServerRecord) async {
        let key = record.fullName
        guard let user = try? await store.user(named: record.userName) else {
            await forgetGone(record, reason: "its user is gone")
            return
        }
        transition(key, .spawnResumed)
        entries[key]?.progress = ProgressLog()
        entries[key]?.portReport = PortReport()
        entries[key]?.spawnStarted = .now
        beginSpawn(user: user, record: record, operation: .resume(state: record.state))
        logger.info("resuming the spawn of \(key)")
    }

    private func restore(_ record: ServerRecord, result: PollResult) async {
        let key = record.fullName
        guard let url = record.url else {
            await forgetGone(record, reason: "it never got an address")
            return
        }
        switch result {
        case .gone(let status):
            await forgetGone(record, reason: "exit status \(status.map(String.init) ?? "unknown")")
        case .running, .unknown:
            let prefix = ServerEnvironment.prefix(user: record.userName, server: record.name)
            if case .running = result {
                do {
                    try await waitUp(url: url + prefix + "api", state: record.state, pollingSpawner: false)
                } catch {
                    logger.warning("server \(key) runs but does not answer: \(error); leaving it routed")
                }
            }
            do {
                try await routes.addRoute(serverURLs.routeSpec(user: record.userName, server: record.name), target: url, data: [
                    "user": .string(record.userName), "server_name": .string(record.name), "slurmhub": .bool(true),
                ])
            } catch {
                logger.error("cannot restore the route of \(key): \(error)")
            }
            transition(key, .pollRunning)
            entries[key]?.progress.finish(.ready(url: serverURLs.url(user: record.userName, server: record.name)))
        }
    }

    /// Polls every running server once, with one bulk call to the spawner.
    func pollRunningServers() async {
        let running = entries.filter { $0.value.lifecycle == .running }.map(\.key)
        guard !running.isEmpty else { return }
        let started = ContinuousClock.now
        var records: [String: ServerRecord] = [:]
        for record in (try? await store.allServers()) ?? [] where running.contains(record.fullName) {
            records[record.fullName] = record
        }
        let results = await spawner.pollAll(states: records.mapValues(\.state))
        for (key, result) in results {
            guard let record = records[key], entries[key]?.lifecycle == .running else { continue }
            switch result {
            case .running:
                metrics.pollDuration(status: "running").recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            case .gone(let status):
                metrics.pollDuration(status: "stopped").recordNanoseconds((ContinuousClock.now - started).nanoseconds)
                await forgetGone(record, reason: "exit status \(status.map(String.init) ?? "unknown")")
            case .unknown(let reason):
                logger.warning("state of server \(key) unknown (\(reason)); keeping it")
            }
        }
    }

    /// Folds the proxy's per-route activity into servers' and users' `last_activity`.
    func foldProxyActivity() async {
        guard let all = try? await routes.allRoutes() else { return }
        for route in all.values {
            guard route.data["slurmhub"] == .bool(true), let user = route.data["user"]?.stringValue else { continue }
            let server = route.data["server_name"]?.stringValue ?? ""
            await recordActivity(user: user, servers: [server: route.lastActivity], overall: route.lastActivity)
        }
    }

    /// Raises `last_activity` of a user and some of their servers (never lowers it).
    func recordActivity(user: String, servers: [String: Date], overall: Date?) async {
        do {
            for (name, date) in servers {
                guard var record = try await store.server(user: user, name: name) else { continue }
                if record.lastActivity.map({ $0 < date }) ?? true {
                    record.lastActivity = date
                    _ = try await store.save(record)
                }
            }
            let newest = ([overall].compactMap { $0 } + servers.values).max()
            if let newest, var row = try await store.user(named: user), row.lastActivity.map({ $0 < newest }) ?? true {
                row.lastActivity = newest
                try await store.update(row)
            }
        } catch {
            logger.error("recording activity of \(user): \(error)")
        }
    }
}

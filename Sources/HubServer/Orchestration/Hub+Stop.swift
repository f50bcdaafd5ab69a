import Foundation
import HubModel
import HubProxy
import HubSpawner
import HubStore
import Logging
import Prometheus

extension Hub {
    /// Requests a stop (cancelling a pending spawn); the stop runs in the background.
    func stop(user: String, server: String) async throws {
        let key = Self.key(user, server)
        let lifecycle = entries[key]?.lifecycle ?? .stopped
        switch lifecycle {
        case .stopped: return
        case .failed:
            transition(key, .stopFinished)
            return
        case .stopping: return
        case .spawning, .running, .checking: break
        }
        transition(key, .stopRequested)
        let spawnTask = entries[key]?.spawnTask
        let started = ContinuousClock.now
        entries[key]?.stopTask = Task {
            await self.runStop(user: user, server: server, cancelling: spawnTask, started: started)
        }
        logger.info("stopping server \(key)")
    }

    private func runStop(user: String, server: String, cancelling spawnTask: Task<Void, Never>?,
                         started: ContinuousClock.Instant) async {
        let key = Self.key(user, server)
        if let spawnTask {
            entries[key]?.progress.finish(.failed("Spawn cancelled"))
            spawnTask.cancel()
            await spawnTask.value
        }
        var status = "success"
        do {
            try await routes.deleteRoute(serverURLs.routeSpec(user: user, server: server))
        } catch {
            logger.debug("route of \(key) was already gone: \(error)")
        }
        if let record = try? await store.server(user: user, name: server) {
            if !record.state.isEmptyObject {
                do {
                    try await spawner.stop(state: record.state)
                } catch {
                    status = "failure"
                    logger.error("stopping \(key) failed: \(error)")
                }
            }
            await cleanUp(record: record)
        }
        entries[key]?.spawnTask = nil
        entries[key]?.stopTask = nil
        transition(key, .stopFinished)
        metrics.stopDuration(status: status).recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        logger.info("server \(key) stopped")
    }

    /// A server found gone by a poll: unroute and forget it, without calling the spawner's stop.
    func forgetGone(_ record: ServerRecord, reason: String) async {
        let key = record.fullName
        logger.warning("server \(key) is gone (\(reason)); removing it")
        try? await routes.deleteRoute(serverURLs.routeSpec(user: record.userName, server: record.name))
        await cleanUp(record: record)
        transition(key, .pollGone)
    }
}

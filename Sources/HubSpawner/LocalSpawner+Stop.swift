import HubModel
import Logging
#if canImport(Glibc)
import Glibc
#endif

extension LocalSpawner {
    /// `.running` while the recorded process (same pid and start time) lives and is no zombie.
    public func poll(state: JSONValue) async -> PollResult {
        guard let saved = LocalSpawnerState(json: state) else { return .gone(exitStatus: nil) }
        return process(for: saved).check()
    }

    /// SIGTERM to the server's process group, SIGKILL after `stopGracePeriod`; returns once it is gone.
    /// Succeeds at once when the state is empty or the process is already gone.
    public func stop(state: JSONValue) async throws {
        guard let saved = LocalSpawnerState(json: state) else {
            logger.debug("stop without a valid local state; nothing to do")
            return
        }
        let process = process(for: saved)
        // Only a verified process (same pid and start time) is signalled; its group along with it.
        guard let leadsGroup = process.leadsProcessGroup(), process.check() == .running else { return }

        logger.info("stopping local server", metadata: ["pid": "\(saved.pid)"])
        process.send(SIGTERM, toGroup: leadsGroup)
        if await waitUntilGone(process, group: leadsGroup, within: stopGracePeriod) { return }

        logger.warning("local server did not exit after SIGTERM; sending SIGKILL", metadata: ["pid": "\(saved.pid)"])
        process.send(SIGKILL, toGroup: leadsGroup)
        if await waitUntilGone(process, group: leadsGroup, within: .seconds(5)) { return }
        throw SpawnError("Server process \(saved.pid) did not exit after SIGKILL.")
    }

    private func process(for state: LocalSpawnerState) -> ServerProcess {
        ServerProcess(pid: state.pid, startTime: state.startTime, reader: reader)
    }

    /// Polls every 100 ms until the process (and, with `group`, every process of its group) is gone,
    /// reaping it if it is our child, or until `period` passes.
    private func waitUntilGone(_ process: ServerProcess, group: Bool, within period: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + period
        while true {
            if case .gone = process.check(), !group || !process.groupHasLiveMembers() { return true }
            if clock.now >= deadline { return false }
            // Stopping must finish even when the calling task is cancelled, so sleep errors are ignored.
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}

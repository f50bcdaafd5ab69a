#if canImport(Glibc)
import Glibc
#endif

/// One server process identified by pid and start time: checks whether it lives, reaps it if it
/// is our child, and signals its process group.
struct ServerProcess: Sendable {
    let pid: Int32
    let startTime: UInt64
    let reader: ProcessInfoReader

    /// Whether the process still runs.
    ///
    /// A process that is missing, has another start time (the pid was reused), or is a zombie is
    /// gone. When it is our own child (the hub was not restarted since `start`), it is reaped with
    /// `waitpid(WNOHANG)` and its exit status reported; otherwise `/proc` is the only source.
    func check() -> PollResult {
        guard let stat = reader.stat(pid: pid), stat.startTime == startTime else {
            return .gone(exitStatus: nil)
        }
        switch Self.reap(pid) {
        case .exited(let status):
            return .gone(exitStatus: status)
        case .stillRunning:
            return .running
        case .notOurChild:
            return stat.isZombie ? .gone(exitStatus: nil) : .running
        }
    }

    /// Whether the process (same pid and start time) exists and leads its own process group.
    /// Nil when it does not exist any more.
    func leadsProcessGroup() -> Bool? {
        guard let stat = reader.stat(pid: pid), stat.startTime == startTime else { return nil }
        return stat.processGroup == pid
    }

    /// Whether a process other than a zombie is left in the group the server led.
    func groupHasLiveMembers() -> Bool {
        !reader.liveMembers(ofGroup: pid).isEmpty
    }

    /// Sends `signal` to the server's process group when `toGroup` (the caller verified it leads it;
    /// a group id cannot be reused while the group has members), else to the process if it is still the same one.
    func send(_ signal: Int32, toGroup: Bool) {
        if toGroup, kill(-pid, signal) == 0 { return }
        guard let stat = reader.stat(pid: pid), stat.startTime == startTime else { return }
        kill(pid, signal)
    }

    /// Kills the process group at once and reaps the child (used when `start` fails after spawning).
    func killAndReap() {
        if kill(-pid, SIGKILL) != 0 { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }

    enum ReapResult: Equatable {
        case exited(Int32)
        case stillRunning
        case notOurChild
    }

    /// `waitpid(pid, WNOHANG)`, retried on EINTR.
    static func reap(_ pid: Int32) -> ReapResult {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return .exited(exitCode(waitStatus: status)) }
            if result == 0 { return .stillRunning }
            if errno == EINTR { continue }
            return .notOurChild
        }
    }

    /// The exit code of a wait status: the status for a normal exit, 128 + signal for a signal death.
    static func exitCode(waitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }
}

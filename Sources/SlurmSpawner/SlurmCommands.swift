import Foundation

/// The exact commands run on a login node, built in one place so that `slurmhub generate slurm-host`
/// can grant precisely these in sudoers.
public struct SlurmCommands: Sendable, Equatable {
    /// Prefix that runs a command as the user; the user name is appended (e.g. `sudo -n -u`).
    public var sudo: [String]
    public var sbatch: String
    public var scancel: String
    public var squeue: String
    public var sinfo: String
    public var tail: String
    public var install: String
    public var dd: String
    /// `SLURM_CONF` for every command, or nil for the login node's default.
    public var slurmConf: String?
    /// `--clusters` for sbatch, squeue and scancel, or nil.
    public var cluster: String?
    /// Lines of a failed job's output shown to the user.
    public static let tailLines = 40

    public init(sudo: [String] = ["/usr/bin/sudo", "-n", "-u"], sbatch: String = "/usr/bin/sbatch",
                scancel: String = "/usr/bin/scancel", squeue: String = "/usr/bin/squeue", sinfo: String = "/usr/bin/sinfo",
                tail: String = "/usr/bin/tail", install: String = "/usr/bin/install", dd: String = "/usr/bin/dd", slurmConf: String? = nil,
                cluster: String? = nil) {
        self.sudo = sudo
        self.sbatch = sbatch
        self.scancel = scancel
        self.squeue = squeue
        self.sinfo = sinfo
        self.tail = tail
        self.install = install
        self.dd = dd
        self.slurmConf = slurmConf
        self.cluster = cluster
    }

    var clusterArguments: [String] { cluster.map { ["--clusters=\($0)"] } ?? [] }

    /// The environment every command carries (besides a job's allow-listed variables).
    public var environment: [String: String] { slurmConf.map { ["SLURM_CONF": $0] } ?? [:] }

    /// Run as the user: the script arrives on stdin.
    public func submit(user: String) -> [String] { sudo + [user, sbatch, "--parsable"] + clusterArguments }

    /// Run as the user.
    public func cancel(user: String, jobID: String) -> [String] { sudo + [user, scancel] + clusterArguments + [jobID] }

    /// Run as the user: creates the token directory with mode 0700 (or sets it).
    public func createTokenDirectory(user: String, path: String) -> [String] {
        sudo + [user, install, "-d", "-m", "0700", path]
    }

    /// Run as the user: creates `path` empty with mode 0600. The content follows with `fillTokenFile`:
    /// a program run through sudo cannot reopen the hub's stdin by path (`/dev/stdin` belongs to the hub's account).
    public func createTokenFile(user: String, path: String) -> [String] {
        sudo + [user, install, "-m", "0600", "/dev/null", path]
    }

    /// Run as the user: writes stdin into the existing `path` (its 0600 mode is kept).
    public func fillTokenFile(user: String, path: String) -> [String] {
        sudo + [user, dd, "of=\(path)", "status=none"]
    }

    /// Run as the user: the end of a job's output file.
    public func outputTail(user: String, path: String) -> [String] {
        sudo + [user, tail, "-n", String(Self.tailLines), "--", path]
    }

    /// Run as the hub's account: one status query for all `jobIDs`.
    public func status(jobIDs: [String]) -> [String] {
        SqueueQuery.arguments(squeue: squeue, jobIDs: jobIDs) + clusterArguments
    }

    /// Run as the hub's account: estimated start of pending jobs.
    public func estimatedStart(jobIDs: [String]) -> [String] {
        [squeue, "--start", "--noheader", "--format=%i|%S", "--jobs=\(jobIDs.joined(separator: ","))"] + clusterArguments
    }

    /// Run as the hub's account: every queued or running job named `jobName`, of any user.
    public func jobs(named jobName: String) -> [String] {
        [squeue, "--noheader", "--name=\(jobName)", "--format=%i|%T|%u|%k"] + clusterArguments
    }

    /// Run as the hub's account: partition availability (idle/total nodes and CPUs).
    public func partitions() -> [String] {
        [sinfo, "--noheader", "--format=%R|%a|%F|%C"] + clusterArguments
    }
}

/// Told about every command the spawner runs, for metrics (one `squeue` per poll interval is checked this way).
public protocol SlurmCommandObserver: Sendable {
    /// `name` is the Slurm command's base name (`sbatch`, `squeue`, …).
    func commandFinished(_ name: String, duration: Duration, succeeded: Bool)
    /// From the spawn request reaching the spawner to `sbatch` returning the job id.
    func jobSubmitted(after duration: Duration)
}

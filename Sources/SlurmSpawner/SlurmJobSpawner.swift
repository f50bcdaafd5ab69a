import Foundation
import HubModel
import HubSpawner
import Logging
import SSHTransport

/// Runs each server as a Slurm job submitted as the user (`sudo -u <user> sbatch`) on a login node
/// reached through a `Transport`. Everything needed after a hub restart is in the returned state.
public final class SlurmJobSpawner: Spawner {
    /// Commands on the login node, and how jobs are built.
    public struct Configuration: Sendable {
        public var site: SlurmSite
        /// Prefix that runs a command as the user; the user name is appended (e.g. `sudo -n -u`).
        public var sudo: [String]
        public var sbatch: String
        public var scancel: String
        public var squeue: String
        /// The user's home directory with `{username}` in it, e.g. `/home/{username}`.
        public var homeTemplate: String
        public var jobName: String
        /// Variables sent to the login node and kept by the job's environment reset.
        public var keepNames: [String]
        public var ports: ClosedRange<Int>
        public var serverCommand: [String]
        public var commandTimeout: Duration
        public var startupPollInterval: Duration

        public init(site: SlurmSite, sudo: [String] = ["/usr/bin/sudo", "-n", "-u"], sbatch: String = "/usr/bin/sbatch",
                    scancel: String = "/usr/bin/scancel", squeue: String = "/usr/bin/squeue",
                    homeTemplate: String = "/home/{username}", jobName: String = "slurmhub", keepNames: [String],
                    ports: ClosedRange<Int>, serverCommand: [String] = ["jupyterhub-singleuser"],
                    commandTimeout: Duration = .seconds(60), startupPollInterval: Duration = .seconds(1)) {
            self.site = site
            self.sudo = sudo
            self.sbatch = sbatch
            self.scancel = scancel
            self.squeue = squeue
            self.homeTemplate = homeTemplate
            self.jobName = jobName
            self.keepNames = keepNames
            self.ports = ports
            self.serverCommand = serverCommand
            self.commandTimeout = commandTimeout
            self.startupPollInterval = startupPollInterval
        }
    }

    let configuration: Configuration
    let transport: any Transport
    let script: JobScript
    let logger: Logger

    public init(configuration: Configuration, transport: any Transport, script: JobScript, logger: Logger) {
        self.configuration = configuration
        self.transport = transport
        self.script = script
        self.logger = logger
    }

    public var kind: String { "slurm" }

    public func start(_ request: SpawnRequest, progress: @escaping ProgressSink) async throws -> SpawnResult {
        let options: SlurmOptions
        do {
            options = try SlurmOptions.validate(request.userOptions.objectValue ?? [:], site: configuration.site)
        } catch let error as OptionError {
            throw SpawnError("Invalid option \(error)")
        }
        guard let partition = configuration.site.partitions[options.partition] else {
            throw SpawnError("Invalid option partition: unknown")
        }
        let tag = "slurmhub-" + Secrets.randomHex(bytes: 8)
        let context = JobScript.Context(
            username: request.userName,
            home: configuration.homeTemplate.replacingOccurrences(of: "{username}", with: request.userName),
            tag: tag, jobName: configuration.jobName, keepNames: configuration.keepNames, ports: configuration.ports,
            servicePrefix: request.servicePrefix, command: configuration.serverCommand)
        let text: String
        do {
            text = try script.render(options, partition: partition, context: context)
        } catch let error as OptionError {
            throw SpawnError("Cannot build the job script: \(error)")
        }
        let environment = request.environment.filter { configuration.keepNames.contains($0.key) }
        let submitted = try await transport.run(
            configuration.sudo + [request.userName, configuration.sbatch, "--parsable"], stdin: text,
            environment: environment, timeout: configuration.commandTimeout)
        guard submitted.exitStatus == 0, let jobID = Self.jobID(fromParsable: submitted.stdout) else {
            throw SpawnError("sbatch failed: \(submitted.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        progress(ProgressEvent(progress: 10, message: "Submitted batch job \(jobID) to partition \(options.partition)"))
        var fields: [String: JSONValue] = ["job_id": .string(jobID), "user": .string(request.userName), "tag": .string(tag)]
        do {
            let node = try await waitUntilRunning(jobID: jobID, progress: progress)
            progress(ProgressEvent(progress: 50, message: "Job \(jobID) running on \(node); waiting for the server to report its port"))
            let port = await request.portReport.wait(interval: .milliseconds(200)) {
                (try? await self.status(of: [jobID])[jobID]).map { status in
                    if case .gone = status { return false }
                    return true
                } ?? true
            }
            guard let port else { throw SpawnError("Job \(jobID) ended before its server reported a port") }
            fields["node"] = .string(node)
            return SpawnResult(url: "http://\(node):\(port)", state: .object(fields))
        } catch {
            try? await stop(state: .object(fields))
            throw error
        }
    }

    /// Polls the job until it runs, reporting queue state and pending reason; fails at once if it ends.
    func waitUntilRunning(jobID: String, progress: ProgressSink) async throws -> String {
        var lastReason = ""
        while true {
            try Task.checkCancellation()
            switch try await status(of: [jobID])[jobID] ?? .gone {
            case .running(let node):
                return node
            case .pending(let reason):
                if reason != lastReason {
                    progress(ProgressEvent(progress: 20, message: "Pending in queue (reason: \(reason))"))
                    lastReason = reason
                }
            case .gone:
                throw SpawnError("Job \(jobID) ended before it started running")
            }
            try await Task.sleep(for: configuration.startupPollInterval)
        }
    }

    /// One `squeue` for all `jobIDs`.
    func status(of jobIDs: [String]) async throws -> [String: JobStatus] {
        let result = try await transport.run(SqueueQuery.arguments(squeue: configuration.squeue, jobIDs: jobIDs),
                                             timeout: configuration.commandTimeout)
        return try SqueueQuery.parse(result.stdout + "\n" + result.stderr, jobIDs: jobIDs)
    }

    public func poll(state: JSONValue) async -> PollResult {
        await pollAll(states: ["job": state])["job"] ?? .unknown(reason: "no result")
    }

    /// One `squeue` for every server; running and pending jobs are running, anything unreadable is unknown.
    public func pollAll(states: [String: JSONValue]) async -> [String: PollResult] {
        let jobs = states.compactMapValues { $0.objectValue?["job_id"]?.stringValue }
        var results = states.filter { jobs[$0.key] == nil }.mapValues { _ in PollResult.gone(exitStatus: nil) }
        guard !jobs.isEmpty else { return results }
        do {
            let statuses = try await status(of: Array(Set(jobs.values)))
            for (key, job) in jobs {
                if case .gone = statuses[job] ?? .gone { results[key] = .gone(exitStatus: nil) } else { results[key] = .running }
            }
        } catch {
            for key in jobs.keys { results[key] = .unknown(reason: "\(error)") }
        }
        return results
    }

    public func stop(state: JSONValue) async throws {
        guard let object = state.objectValue, let job = object["job_id"]?.stringValue,
              let user = object["user"]?.stringValue else { return }
        let result = try await transport.run(configuration.sudo + [user, configuration.scancel, job],
                                             timeout: configuration.commandTimeout)
        guard result.exitStatus == 0 || result.stderr.contains("Invalid job id") else {
            throw SpawnError("scancel \(job) failed: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        for _ in 0..<20 {
            if case .gone = try await status(of: [job])[job] ?? .gone { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw SpawnError("Job \(job) is still in the queue 10 s after scancel")
    }

    /// The job id from `sbatch --parsable` output (`id` or `id;cluster`, last non-empty line).
    static func jobID(fromParsable output: String) -> String? {
        guard let line = output.split(whereSeparator: \.isNewline).last(where: { !$0.isEmpty }) else { return nil }
        let id = String(line.split(separator: ";").first ?? "")
        return !id.isEmpty && id.allSatisfy(\.isNumber) ? id : nil
    }
}

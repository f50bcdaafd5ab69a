import Foundation
import HubModel
import HubSpawner
import Logging
import SSHTransport

extension SlurmJobSpawner {
    /// Polls the job until it runs, reporting queue state, Slurm's pending reason and the estimated
    /// start; fails at once (with the output's tail) if the job ends first.
    func waitUntilRunning(jobID: String, partition: String?, user: String, progress: ProgressSink) async throws -> String {
        var lastMessage = ""
        var availability = ""
        var lastEstimate: ContinuousClock.Instant?
        var estimate = ""
        while true {
            try Task.checkCancellation()
            let status: JobStatus?
            do {
                status = try await self.status(of: [jobID])[jobID]
            } catch {
                // Unknown (controller or SSH trouble): keep waiting; start_timeout bounds the spawn.
                logger.warning("status of job \(jobID) unknown: \(error)")
                status = nil
            }
            switch status {
            case .running(let node):
                return node
            case .pending(let reason):
                if lastEstimate.map({ ContinuousClock.now - $0 >= configuration.estimateInterval }) ?? true {
                    estimate = (try? await estimatedStart(jobID: jobID)) ?? ""
                    if let partition, let state = try? await partitionAvailability()[partition] {
                        availability = state.summary
                    }
                    lastEstimate = .now
                }
                let message = "Job \(jobID) pending in queue (reason: \(reason))"
                    + (estimate.isEmpty ? "" : "; estimated start \(estimate)")
                    + (availability.isEmpty ? "" : "; \(availability)")
                if message != lastMessage {
                    progress(ProgressEvent(progress: 20, message: message))
                    lastMessage = message
                }
            case .gone:
                throw await ended(jobID: jobID, user: user, before: "it started running")
            case nil:
                break
            }
            try await Task.sleep(for: configuration.startupPollInterval)
        }
    }

    /// Every partition's state, idle nodes and CPUs (`sinfo`, cached for `availabilityLifetime`).
    public func partitionAvailability() async throws -> [String: PartitionAvailability] {
        try await availabilityCache.value { try await self.queryAvailability() }
    }

    /// One `sinfo`, uncached.
    func queryAvailability() async throws -> [String: PartitionAvailability] {
        let result = try await run("sinfo", configuration.commands.partitions())
        guard result.succeeded else { throw SpawnError("sinfo failed: \(result.trimmedError)") }
        return PartitionAvailability.parse(result.stdout)
    }

    /// One `squeue` for all `jobIDs`.
    func status(of jobIDs: [String]) async throws -> [String: JobStatus] {
        let result = try await run("squeue", configuration.commands.status(jobIDs: jobIDs))
        return try SqueueQuery.parse(result.stdout + "\n" + result.stderr, jobIDs: jobIDs)
    }

    /// Slurm's estimated start of a pending job (`squeue --start`), or "" when it has none.
    func estimatedStart(jobID: String) async throws -> String {
        let result = try await run("squeue", configuration.commands.estimatedStart(jobIDs: [jobID]))
        for line in result.stdout.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if fields.count == 2, fields[0] == jobID, fields[1] != "N/A", !fields[1].isEmpty { return fields[1] }
        }
        return ""
    }

    /// The error for a job that ended too early, carrying the tail of its output file.
    func ended(jobID: String, user: String, before what: String) async -> SpawnError {
        SpawnError("Job \(jobID) ended before \(what)." + (await outputTail(jobID: jobID, user: user)))
    }

    public func exitDetails(state: JSONValue) async -> String? {
        guard let object = state.objectValue, let job = object["job_id"]?.stringValue,
              let user = object["user"]?.stringValue else { return nil }
        return "Job \(job) ended." + (await outputTail(jobID: job, user: user))
    }

    /// " Last lines of <file>:\n…", read as the user.
    func outputTail(jobID: String, user: String) async -> String {
        let path = configuration.outputPath(jobID: jobID, user: user)
        var message = ""
        if let tail = try? await run("tail", configuration.commands.outputTail(user: user, path: path)), tail.succeeded,
           !tail.stdout.isEmpty {
            message += " Last lines of \(path):\n" + String(tail.stdout.suffix(4000))
        } else {
            message += " Its output file \(path) could not be read."
        }
        return message
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
            let statuses = try await status(of: Array(Set(jobs.values)).sorted())
            for (key, job) in jobs {
                results[key] = statuses[job] ?? .gone == .gone ? .gone(exitStatus: nil) : .running
            }
        } catch {
            for key in jobs.keys { results[key] = .unknown(reason: "\(error)") }
        }
        return results
    }

    public func stop(state: JSONValue) async throws {
        guard let object = state.objectValue, let user = object["user"]?.stringValue else { return }
        var job = object["job_id"]?.stringValue
        if job == nil, let tag = object["tag"]?.stringValue {
            // Stopped between the tag being recorded and sbatch answering: the job may exist.
            job = try await queuedJobs().first(where: { $0.tag == tag && $0.user == user })?.id
        }
        guard let job else { return }
        try await cancel(jobID: job, user: user)
    }

    /// `scancel` as the user, then waits until the job has left the queue.
    func cancel(jobID: String, user: String) async throws {
        let result = try await run("scancel", configuration.commands.cancel(user: user, jobID: jobID))
        guard result.succeeded || result.stderr.contains("Invalid job id") else {
            throw SpawnError("scancel \(jobID) failed: \(result.trimmedError)")
        }
        for _ in 0..<20 {
            if try await status(of: [jobID])[jobID] ?? .gone == .gone { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw SpawnError("Job \(jobID) is still in the queue 10 s after scancel")
    }

    /// A queued or running job carrying this spawner's job name.
    struct QueuedJob: Sendable, Equatable {
        var id: String
        var user: String
        var tag: String
    }

    /// All queued or running jobs named like ours (any user), with their tags.
    func queuedJobs() async throws -> [QueuedJob] {
        let result = try await run("squeue", configuration.commands.jobs(named: configuration.jobName))
        guard result.succeeded else { throw SpawnError("squeue failed: \(result.trimmedError)") }
        return result.stdout.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, !fields[0].isEmpty, fields[0].allSatisfy({ $0.isNumber || $0 == "_" }) else { return nil }
            return QueuedJob(id: fields[0], user: fields[2], tag: fields[3])
        }
    }

    /// Cancels queued or running jobs that carry a slurmhub tag no server row knows.
    public func sweepOrphans(knownStates: [JSONValue]) async -> [String] {
        let knownTags = Set(knownStates.compactMap { $0.objectValue?["tag"]?.stringValue })
        let jobs: [QueuedJob]
        do {
            jobs = try await queuedJobs()
        } catch {
            logger.error("orphan sweep skipped: cannot list jobs: \(error)")
            return []
        }
        var cancelled: [String] = []
        for job in jobs where job.tag.hasPrefix("slurmhub-") && !knownTags.contains(job.tag) {
            do {
                try await cancel(jobID: job.id, user: job.user)
                logger.warning("cancelled orphaned job \(job.id) of \(job.user) (tag \(job.tag) unknown to the database)")
                cancelled.append("job \(job.id) of \(job.user)")
            } catch {
                logger.error("cannot cancel orphaned job \(job.id) of \(job.user): \(error)")
            }
        }
        return cancelled
    }
}

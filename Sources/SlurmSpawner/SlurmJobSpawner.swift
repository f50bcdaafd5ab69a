import Foundation
import HubModel
import HubSpawner
import Logging
import SSHTransport

/// Runs each server as a Slurm job submitted as the user (`sudo -u <user> sbatch`) on a login node
/// reached through a `Transport`.
///
/// Submission is idempotent: the job's unique tag (its `--comment`) is checkpointed before `sbatch`
/// runs and the job id right after, so a cancelled spawn or a hub restart can always find the job.
public final class SlurmJobSpawner: Spawner {
    /// Commands on the login node, and how jobs are built.
    public struct Configuration: Sendable {
        public var site: SlurmSite
        public var commands: SlurmCommands
        /// The user's home directory with `{username}` in it, e.g. `/home/{username}`.
        public var homeTemplate: String
        public var jobName: String
        /// The job's output file: `{home}`, `{username}` and Slurm's `%j`, `%u`, `%x`.
        public var outputTemplate: String
        /// Directory of token files (`{home}`, `{username}`), or nil to pass the token in the environment.
        public var tokenDirectoryTemplate: String?
        /// Variables sent to the login node and kept by the job's environment reset.
        public var keepNames: [String]
        public var ports: ClosedRange<Int>
        public var serverCommand: [String]
        public var commandTimeout: Duration
        public var startupPollInterval: Duration
        /// How often a pending job's estimated start is asked for.
        public var estimateInterval: Duration
        /// How long an `sinfo` answer is reused (progress messages and the spawn form).
        public var availabilityLifetime: Duration

        public init(site: SlurmSite, commands: SlurmCommands = SlurmCommands(), homeTemplate: String = "/home/{username}",
                    jobName: String = "slurmhub", outputTemplate: String = "{home}/.slurmhub-%j.log",
                    tokenDirectoryTemplate: String? = nil, keepNames: [String], ports: ClosedRange<Int>,
                    serverCommand: [String] = ["jupyterhub-singleuser"], commandTimeout: Duration = .seconds(60),
                    startupPollInterval: Duration = .seconds(1), estimateInterval: Duration = .seconds(30),
                    availabilityLifetime: Duration = .seconds(30)) {
            self.site = site
            self.commands = commands
            self.homeTemplate = homeTemplate
            self.jobName = jobName
            self.outputTemplate = outputTemplate
            self.tokenDirectoryTemplate = tokenDirectoryTemplate
            self.keepNames = keepNames
            self.ports = ports
            self.serverCommand = serverCommand
            self.commandTimeout = commandTimeout
            self.startupPollInterval = startupPollInterval
            self.estimateInterval = estimateInterval
            self.availabilityLifetime = availabilityLifetime
        }

        // The paths below are the only place they are built: the spawner runs commands on them and the
        // login-node sudoers rules are generated from them (with sudo's `*` for the user, job id and tag).

        /// The user's home directory.
        public func home(of user: String) -> String { homeTemplate.replacingOccurrences(of: "{username}", with: user) }

        /// `template` with `{home}` and `{username}` filled in.
        public func expand(_ template: String, user: String) -> String {
            template.replacingOccurrences(of: "{home}", with: home(of: user)).replacingOccurrences(of: "{username}", with: user)
        }

        /// The output file of `jobID`, with Slurm's `%j`, `%u`, `%x` and `%%` filled in.
        public func outputPath(jobID: String, user: String) -> String {
            expand(outputTemplate, user: user)
                .replacingOccurrences(of: "%%", with: "\u{0}")
                .replacingOccurrences(of: "%j", with: jobID)
                .replacingOccurrences(of: "%u", with: user)
                .replacingOccurrences(of: "%x", with: jobName)
                .replacingOccurrences(of: "\u{0}", with: "%")
        }

        /// The user's token directory, when tokens travel as files.
        public func tokenDirectory(user: String) -> String? { tokenDirectoryTemplate.map { expand($0, user: user) } }

        /// The token file of the job tagged `tag`, when tokens travel as files.
        public func tokenFile(user: String, tag: String) -> String? { tokenDirectory(user: user).map { $0 + "/" + tag } }
    }

    /// What a spawn is built from: the site's configuration and the job script template.
    public struct Settings: Sendable {
        public var configuration: Configuration
        public var script: JobScript

        public init(configuration: Configuration, script: JobScript) {
            self.configuration = configuration
            self.script = script
        }
    }

    /// Names of the API token in the JupyterHub environment (not sent when the token travels as a file).
    static let tokenNames: Set<String> = ["JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN"]

    /// The configuration and job script in effect, read anew by every operation: a configuration reload that swaps
    /// what `settings` answers applies to the spawns and polls that start from then on (jobs already submitted keep
    /// what they were submitted with).
    private let settings: @Sendable () -> Settings
    var configuration: Configuration { settings().configuration }
    var script: JobScript { settings().script }
    let transport: any Transport
    let observer: (any SlurmCommandObserver)?
    let logger: Logger
    let availabilityCache: AvailabilityCache

    /// A spawner following `settings` (the hub's live configuration).
    public init(settings: @escaping @Sendable () -> Settings, transport: any Transport,
                observer: (any SlurmCommandObserver)? = nil, logger: Logger) {
        self.settings = settings
        self.transport = transport
        self.observer = observer
        self.logger = logger
        availabilityCache = AvailabilityCache(lifetime: { settings().configuration.availabilityLifetime })
    }

    /// A spawner with fixed settings.
    public convenience init(configuration: Configuration, transport: any Transport, script: JobScript,
                            observer: (any SlurmCommandObserver)? = nil, logger: Logger) {
        let fixed = Settings(configuration: configuration, script: script)
        self.init(settings: { fixed }, transport: transport, observer: observer, logger: logger)
    }

    public var kind: String { "slurm" }

    public func validateOptions(_ options: JSONValue) throws {
        _ = try validated(options)
    }

    func validated(_ options: JSONValue) throws -> SlurmOptions {
        guard case .object(let raw) = options else {
            if options == .null { return try validated(.object([:])) }
            throw SpawnError("Invalid options: must be a JSON object")
        }
        do {
            return try SlurmOptions.validate(raw, site: configuration.site)
        } catch let error as OptionError {
            throw SpawnError(field: error.field, reason: error.message)
        }
    }

    public func start(_ request: SpawnRequest, progress: @escaping ProgressSink) async throws -> SpawnResult {
        let started = ContinuousClock.now
        let options = try validated(request.userOptions)
        guard let partition = configuration.site.partitions[options.partition] else {
            throw SpawnError("Invalid option partition: unknown")
        }
        let user = request.userName
        let tag = "slurmhub-" + Secrets.randomHex(bytes: 8)
        let tokenDirectory = configuration.tokenDirectory(user: user)
        let tokenFile = configuration.tokenFile(user: user, tag: tag)
        let context = JobScript.Context(
            username: user, home: configuration.home(of: user), tag: tag, jobName: configuration.jobName,
            keepNames: configuration.keepNames, ports: configuration.ports, servicePrefix: request.servicePrefix,
            command: configuration.serverCommand, output: configuration.expand(configuration.outputTemplate, user: user),
            tokenFile: tokenFile)
        let text: String
        do {
            text = try script.render(options, partition: partition, context: context)
        } catch let error as OptionError {
            throw SpawnError("Cannot build the job script: \(error)")
        }
        var fields: [String: JSONValue] = ["user": .string(user), "tag": .string(tag), "partition": .string(options.partition)]
        try await request.checkpoint(.object(fields))

        var environment = request.environment.filter { configuration.keepNames.contains($0.key) }
        if let tokenFile, let tokenDirectory {
            guard let token = request.environment["JUPYTERHUB_API_TOKEN"] else { throw SpawnError("No API token to deliver") }
            environment = environment.filter { !Self.tokenNames.contains($0.key) }
            let directory = try await run("install", configuration.commands.createTokenDirectory(user: user, path: tokenDirectory))
            guard directory.succeeded else { throw SpawnError("Cannot create \(tokenDirectory): \(directory.trimmedError)") }
            let created = try await run("install", configuration.commands.createTokenFile(user: user, path: tokenFile))
            guard created.succeeded else { throw SpawnError("Cannot create the token file: \(created.trimmedError)") }
            let filled = try await run("dd", configuration.commands.fillTokenFile(user: user, path: tokenFile), stdin: token + "\n")
            guard filled.succeeded else { throw SpawnError("Cannot write the token file: \(filled.trimmedError)") }
        }
        let submitted = try await run("sbatch", configuration.commands.submit(user: user), stdin: text,
                                      environment: environment.merging(configuration.commands.environment) { _, site in site })
        guard submitted.succeeded, let jobID = Self.jobID(fromParsable: submitted.stdout) else {
            throw SpawnError("sbatch failed: \(submitted.trimmedError)")
        }
        fields["job_id"] = .string(jobID)
        try await request.checkpoint(.object(fields))
        observer?.jobSubmitted(after: ContinuousClock.now - started)
        logger.info("submitted job \(jobID) for \(user)", metadata: ["tag": "\(tag)"])
        progress(ProgressEvent(progress: 10, message: "Submitted batch job \(jobID) to partition \(options.partition)"))
        return try await follow(jobID: jobID, fields: fields, request: request, progress: progress)
    }

    public func resume(_ request: SpawnRequest, state: JSONValue, progress: @escaping ProgressSink) async throws -> SpawnResult {
        guard var fields = state.objectValue, let user = fields["user"]?.stringValue,
              let tag = fields["tag"]?.stringValue else {
            throw SpawnError("Nothing to resume: no job tag was recorded")
        }
        if fields["job_id"]?.stringValue == nil {
            // The hub stopped between recording the tag and sbatch answering: look for the job by its tag.
            guard let job = try await queuedJobs().first(where: { $0.tag == tag && $0.user == user }) else {
                throw SpawnError("The job was never submitted")
            }
            fields["job_id"] = .string(job.id)
            try await request.checkpoint(.object(fields))
        }
        guard let jobID = fields["job_id"]?.stringValue else { throw SpawnError("Nothing to resume") }
        progress(ProgressEvent(progress: 10, message: "Hub restarted; following batch job \(jobID)"))
        return try await follow(jobID: jobID, fields: fields, request: request, progress: progress)
    }

    /// Waits for the job to run and its server to report a port; fails at once, with the tail of
    /// the job's output, when the job ends first.
    func follow(jobID: String, fields: [String: JSONValue], request: SpawnRequest,
                progress: @escaping ProgressSink) async throws -> SpawnResult {
        let user = request.userName
        let node = try await waitUntilRunning(jobID: jobID, partition: fields["partition"]?.stringValue, user: user,
                                              progress: progress)
        progress(ProgressEvent(progress: 50, message: "Job \(jobID) running on \(node); waiting for the server to report its port"))
        let port = await request.portReport.wait(interval: .milliseconds(200)) {
            guard let status = try? await self.status(of: [jobID])[jobID] else { return true }
            return status != .gone
        }
        guard let port else {
            try Task.checkCancellation()
            throw await ended(jobID: jobID, user: user, before: "its server reported a port")
        }
        var fields = fields
        fields["node"] = .string(node)
        return SpawnResult(url: "http://\(node):\(port)", state: .object(fields))
    }

    /// The job id from `sbatch --parsable` output (`id` or `id;cluster`, last non-empty line).
    static func jobID(fromParsable output: String) -> String? {
        guard let line = output.split(whereSeparator: \.isNewline).last(where: { !$0.isEmpty }) else { return nil }
        let id = String(line.split(separator: ";").first ?? "")
        return !id.isEmpty && id.allSatisfy(\.isNumber) ? id : nil
    }

    /// Runs one command on a login node and tells the observer.
    func run(_ name: String, _ argv: [String], stdin: String? = nil,
             environment: [String: String]? = nil) async throws -> CommandResult {
        let started = ContinuousClock.now
        do {
            let result = try await transport.run(argv, stdin: stdin, environment: environment ?? configuration.commands.environment,
                                                 timeout: configuration.commandTimeout)
            observer?.commandFinished(name, duration: ContinuousClock.now - started, succeeded: result.succeeded)
            return result
        } catch {
            observer?.commandFinished(name, duration: ContinuousClock.now - started, succeeded: false)
            throw error
        }
    }
}

extension CommandResult {
    var trimmedError: String {
        let text = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "exit status \(exitStatus)" : String(text.prefix(2000))
    }
}

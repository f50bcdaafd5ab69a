import Foundation
import HubModel
import Mustache
import SSHTransport

/// Renders the batch script for one server from a Mustache template (the shipped one, or a site's).
///
/// `#SBATCH` lines take only validated values. The script resets the environment to an allow-list,
/// loads the chosen environment, reports a free port to the hub and runs the server without `srun`.
public struct JobScript: Sendable {
    /// Everything about the job that does not come from the user's options.
    public struct Context: Sendable {
        public var username: String
        public var home: String
        /// Unique tag carried in `--comment`, stored before `sbatch` runs (idempotent submission).
        public var tag: String
        public var jobName: String
        /// Variables the reset environment keeps (besides `SLURM_*`).
        public var keepNames: [String]
        public var ports: ClosedRange<Int>
        public var servicePrefix: String
        public var command: [String]
        /// The job's output file (Slurm's `%j` etc. allowed).
        public var output: String
        /// Where the job reads its API token from, or nil when the token is in the environment.
        public var tokenFile: String?

        public init(username: String, home: String, tag: String, jobName: String, keepNames: [String],
                    ports: ClosedRange<Int>, servicePrefix: String, command: [String], output: String,
                    tokenFile: String? = nil) {
            self.username = username
            self.home = home
            self.tag = tag
            self.jobName = jobName
            self.keepNames = keepNames
            self.ports = ports
            self.servicePrefix = servicePrefix
            self.command = command
            self.output = output
            self.tokenFile = tokenFile
        }
    }

    let template: MustacheTemplate

    /// The template shipped with slurmhub.
    public static func shipped() throws -> JobScript {
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil)?
            .appendingPathComponent("job.sh.mustache") else {
            throw OptionError(field: "job_template", "the shipped job template is missing")
        }
        return try JobScript(templateText: String(contentsOf: url, encoding: .utf8))
    }

    public init(templateText: String) throws {
        template = try MustacheTemplate(string: templateText)
    }

    /// The script for `options` in `context`.
    public func render(_ options: SlurmOptions, partition: SlurmSite.Partition, context: Context) throws -> String {
        let safeWord = #"^[A-Za-z0-9_][A-Za-z0-9_.@+-]*$"#
        for (field, value) in [("username", context.username), ("tag", context.tag), ("job_name", context.jobName)]
        where !value.matchesWhole(safeWord) {
            throw OptionError(field: field, "unsafe value for a job script")
        }
        for (field, path) in [("home", context.home), ("output", context.output), ("token_file", context.tokenFile ?? "/")] {
            guard path.matchesWhole(#"^/[A-Za-z0-9_.,+@%/-]*$"#), !path.contains("..") else {
                throw OptionError(field: field, "unsafe path for a job script")
            }
        }
        for name in context.keepNames where !name.matchesWhole(#"^[A-Za-z_][A-Za-z0-9_]*$"#) {
            throw OptionError(field: "environment allow-list", "invalid variable name \(name)")
        }
        var values: [String: Any] = [
            "job_name": context.jobName, "tag": context.tag, "partition": options.partition,
            "time": options.timeLimit, "cpus": options.cpus, "username": context.username,
            "home": context.home, "keep_names": context.keepNames.joined(separator: " "),
            "output": context.output,
            "port_low": context.ports.lowerBound, "port_high": context.ports.upperBound,
            "service_prefix": HeredocQuoting.escape(ShellQuoting.quote(context.servicePrefix)),
            "own_port_report": (context.command.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "")
                == "batchspawner-singleuser",
            "command_name": HeredocQuoting.escape(ShellQuoting.quote(context.command.first ?? "")),
            "command": context.command.map { HeredocQuoting.escape(ShellQuoting.quote($0)) }.joined(separator: " "),
            "modules": options.environment.modules.map { HeredocQuoting.escape(ShellQuoting.quote($0)) },
        ]
        if let memory = options.memoryMiB { values["memory"] = memory }
        if options.gpus > 0 { values["gres"] = partition.gresTemplate.replacingOccurrences(of: "{}", with: "\(options.gpus)") }
        if let reservation = options.reservation { values["reservation"] = reservation }
        if let account = options.account { values["account"] = account }
        if let qos = options.qos { values["qos"] = qos }
        if !options.environment.path.isEmpty { values["path"] = HeredocQuoting.escape(ShellQuoting.quote(options.environment.path)) }
        if let tokenFile = context.tokenFile { values["token_file"] = HeredocQuoting.escape(ShellQuoting.quote(tokenFile)) }
        if let url = options.defaultURL { values["default_url"] = HeredocQuoting.escape(ShellQuoting.quote(url)) }
        return template.render(values)
    }
}

/// Text placed inside an unquoted here-document is expanded by the outer shell even within
/// single quotes, so `\`, `$` and backquotes must be escaped once more.
enum HeredocQuoting {
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "\\" || character == "$" || character == "`" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}

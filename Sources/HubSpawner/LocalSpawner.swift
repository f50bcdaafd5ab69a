import HubModel
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Runs each single-user server as a local child process of the hub (kind `local`).
///
/// The server runs in its own session with its output appended to a per-server log file, so it
/// survives the hub stopping or restarting. Everything needed to poll or stop it later (pid,
/// process start time, port, log path) is returned as the server's state; the spawner itself
/// keeps no per-server memory.
public final class LocalSpawner: Spawner {
    /// The server command and its arguments; the first element is an absolute path or a name looked up in the child's `PATH`.
    public let command: [String]
    /// The address the server listens on (and the hub connects to).
    public let ip: String
    /// The ports to choose from.
    public let portRange: ClosedRange<Int>
    /// Where the per-server log files go.
    public let logDirectory: String
    /// Extra environment from the configuration; the hub's `JUPYTERHUB_*` variables win over it.
    public let environment: [String: String]
    /// Names of hub-process environment variables passed on to servers; nothing else is inherited.
    public let passEnvironment: [String]
    /// How long `stop` waits after SIGTERM before sending SIGKILL.
    public let stopGracePeriod: Duration
    /// How long `start` watches for the process exiting immediately.
    public let startupCheckPeriod: Duration
    /// The servers' working directory; nil keeps the hub's.
    public let workingDirectory: String?
    let logger: Logger
    let reader: ProcessInfoReader

    /// The default allow-list of hub environment variables passed to servers.
    public static let defaultPassEnvironment = ["PATH", "LANG", "LC_ALL", "HOME", "USER", "SHELL", "TZ", "VIRTUAL_ENV"]

    public init(command: [String], ip: String = "127.0.0.1", portRange: ClosedRange<Int>,
                logDirectory: String, environment: [String: String] = [:],
                passEnvironment: [String] = LocalSpawner.defaultPassEnvironment,
                stopGracePeriod: Duration = .seconds(5), startupCheckPeriod: Duration = .milliseconds(500),
                workingDirectory: String? = nil, logger: Logger) {
        self.command = command
        self.ip = ip
        self.portRange = portRange
        self.logDirectory = logDirectory
        self.environment = environment
        self.passEnvironment = passEnvironment
        self.stopGracePeriod = stopGracePeriod
        self.startupCheckPeriod = startupCheckPeriod
        self.workingDirectory = workingDirectory
        self.logger = logger
        self.reader = ProcessInfoReader()
    }

    public var kind: String { "local" }

    public func start(_ request: SpawnRequest, progress: @escaping ProgressSink) async throws -> SpawnResult {
        guard let program = command.first, !program.isEmpty else {
            throw SpawnError("No command is configured for the local spawner.")
        }
        guard let port = PortFinder.freePort(host: ip, in: portRange) else {
            throw SpawnError("No free port in \(portRange.lowerBound)-\(portRange.upperBound) on \(ip).")
        }
        let url = "http://\(urlHost):\(port)"
        let prefix = request.servicePrefix.hasPrefix("/") ? request.servicePrefix : "/" + request.servicePrefix
        let childEnvironment = environment(for: request, serviceURL: url + prefix)
        guard let executable = ProcessLauncher.resolveExecutable(program, searchPath: childEnvironment["PATH"]) else {
            throw SpawnError("Command not found: \(program)")
        }
        let logPath = ServerLogFile.path(directory: logDirectory, user: request.userName, server: request.serverName)
        try ServerLogFile.prepare(directory: logDirectory, path: logPath)

        let name = program.split(separator: "/").last.map(String.init) ?? program
        progress(ProgressEvent(message: "Starting \(name) on port \(port)"))
        let pid = try ProcessLauncher.spawn(
            executable: executable, arguments: command, environment: childEnvironment,
            logPath: logPath, workingDirectory: workingDirectory)
        let startTime = reader.stat(pid: pid)?.startTime ?? 0
        let process = ServerProcess(pid: pid, startTime: startTime, reader: reader)
        logger.info("started local server", metadata: [
            "user": "\(request.userName)", "server": "\(request.serverName)",
            "pid": "\(pid)", "port": "\(port)", "log": "\(logPath)",
        ])

        try await watchStartup(process, name: name, logPath: logPath)
        progress(ProgressEvent(message: "Server process \(pid) is running; output goes to \(logPath)"))
        let state = LocalSpawnerState(pid: pid, port: port, startTime: startTime, logPath: logPath)
        return SpawnResult(url: url, state: state.json)
    }

    /// The host part of the server URL (IPv6 in brackets; an empty ip means the loopback address).
    var urlHost: String {
        if ip.isEmpty { return "127.0.0.1" }
        return ip.contains(":") ? "[\(ip)]" : ip
    }

    /// The child's environment: allow-listed hub variables, then the configured extras, then the
    /// request's `JUPYTERHUB_*` variables, then `JUPYTERHUB_SERVICE_URL`.
    func environment(for request: SpawnRequest, serviceURL: String) -> [String: String] {
        var result: [String: String] = [:]
        for name in passEnvironment {
            if let value = getenv(name) { result[name] = String(cString: value) }
        }
        result.merge(environment) { _, new in new }
        result.merge(request.environment) { _, new in new }
        result["JUPYTERHUB_SERVICE_URL"] = serviceURL
        return result
    }

    /// Fails the start when the process exits within `startupCheckPeriod`; kills it when the start is cancelled.
    private func watchStartup(_ process: ServerProcess, name: String, logPath: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + startupCheckPeriod
        while true {
            if case .exited(let status) = ServerProcess.reap(process.pid) {
                let tail = ServerLogFile.tail(path: logPath)
                logger.warning("local server exited during startup",
                               metadata: ["pid": "\(process.pid)", "status": "\(status)"])
                throw SpawnError("\(name) exited with status \(status) right after starting. "
                                 + "Last lines of \(logPath):\n\(tail)")
            }
            if clock.now >= deadline { return }
            do {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                process.killAndReap()
                throw error
            }
        }
    }
}

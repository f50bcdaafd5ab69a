import HubModel

/// What the local spawner persists for one server: enough to find, poll and stop it after a hub restart.
///
/// Encoded as `{"pid": N, "port": N, "start_time": ticks, "log": path}`.
public struct LocalSpawnerState: Sendable, Equatable {
    /// The server process (a session and process-group leader).
    public var pid: Int32
    /// The TCP port the server listens on.
    public var port: Int
    /// The process start time in clock ticks after boot (`/proc/<pid>/stat` field 22); guards against pid reuse.
    public var startTime: UInt64
    /// The log file receiving the server's stdout and stderr.
    public var logPath: String

    public init(pid: Int32, port: Int, startTime: UInt64, logPath: String) {
        self.pid = pid
        self.port = port
        self.startTime = startTime
        self.logPath = logPath
    }

    /// Decodes a persisted state; nil when it is missing or malformed.
    public init?(json: JSONValue) {
        guard let object = json.objectValue,
              let pid = object["pid"]?.intValue, pid > 1, pid <= Int(Int32.max),
              let start = object["start_time"]?.intValue, start >= 0 else { return nil }
        self.pid = Int32(pid)
        self.port = object["port"]?.intValue ?? 0
        self.startTime = UInt64(start)
        self.logPath = object["log"]?.stringValue ?? ""
    }

    /// The JSON form stored by the hub.
    public var json: JSONValue {
        .object([
            "pid": .number(Double(pid)),
            "port": .number(Double(port)),
            "start_time": .number(Double(startTime)),
            "log": .string(logPath),
        ])
    }
}

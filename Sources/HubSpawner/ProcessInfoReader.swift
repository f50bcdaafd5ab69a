#if canImport(Glibc)
import Glibc
#endif

/// Reads facts about processes from the Linux `/proc` file system.
///
/// Used by the local spawner to recognise its server processes across hub restarts:
/// a pid plus the process start time (in clock ticks since boot) identifies a process
/// even when pids are reused.
public struct ProcessInfoReader: Sendable {
    /// The parsed fields of `/proc/<pid>/stat` that the hub needs.
    public struct Stat: Sendable, Equatable {
        /// The process id (field 1).
        public var pid: Int32
        /// The state letter (field 3): `R`, `S`, `D`, `Z` (zombie), `T`, `X`, …
        public var state: Character
        /// The parent process id (field 4).
        public var parentPid: Int32
        /// The process group id (field 5).
        public var processGroup: Int32
        /// The session id (field 6).
        public var session: Int32
        /// The start time in clock ticks after boot (field 22).
        public var startTime: UInt64

        /// Whether the process has exited and waits to be reaped (or is being torn down).
        public var isZombie: Bool { state == "Z" || state == "X" || state == "x" }

        public init(pid: Int32, state: Character, parentPid: Int32, processGroup: Int32,
                    session: Int32, startTime: UInt64) {
            self.pid = pid
            self.state = state
            self.parentPid = parentPid
            self.processGroup = processGroup
            self.session = session
            self.startTime = startTime
        }
    }

    /// The mount point of the proc file system.
    public let procRoot: String

    /// Creates a reader for `procRoot` (normally `/proc`).
    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
    }

    /// The parsed `/proc/<pid>/stat`, or nil when the process does not exist (or the file is unreadable).
    public func stat(pid: Int32) -> Stat? {
        guard pid > 0, let text = Self.readSmallFile("\(procRoot)/\(pid)/stat") else { return nil }
        return Self.parseStat(text)
    }

    /// The pids of processes in process group `group` that have not exited (zombies excluded).
    public func liveMembers(ofGroup group: Int32) -> [Int32] {
        guard group > 0, let directory = opendir(procRoot) else { return [] }
        defer { closedir(directory) }
        var members: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), let info = stat(pid: pid) else { continue }
            if info.processGroup == group, !info.isZombie { members.append(pid) }
        }
        return members
    }

    /// Parses the text of a `/proc/<pid>/stat` file.
    ///
    /// The command name (field 2) is in parentheses and may itself contain spaces and
    /// parentheses, so the fields after it are found from the *last* closing parenthesis.
    public static func parseStat(_ text: String) -> Stat? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close,
              let pid = Int32(text[text.startIndex..<open].trimmingSpaces()) else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // rest[0] is field 3 (state); field n is rest[n - 3].
        guard rest.count >= 20, let state = rest[0].first,
              let parent = Int32(rest[1]), let group = Int32(rest[2]), let session = Int32(rest[3]),
              let start = UInt64(rest[19].trimmingSpaces()) else { return nil }
        return Stat(pid: pid, state: state, parentPid: parent, processGroup: group,
                    session: session, startTime: start)
    }

    /// Reads a small file completely with plain `read(2)` (proc files report a size of 0).
    static func readSmallFile(_ path: String, limit: Int = 65_536) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first.isWhitespace { result = result.dropFirst() }
        while let last = result.last, last.isWhitespace { result = result.dropLast() }
        return result
    }
}

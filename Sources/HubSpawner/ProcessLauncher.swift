import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Launches a detached child process with `posix_spawn`.
///
/// The child runs in its own session (`setsid`), reads stdin from `/dev/null`, appends stdout and
/// stderr to a log file, has default signal dispositions and an empty signal mask, and inherits no
/// other file descriptors, so it survives the hub exiting and never holds the hub's sockets.
struct ProcessLauncher {
    /// `POSIX_SPAWN_SETSID` from glibc's `<spawn.h>` (a GNU extension the Swift overlay does not import).
    static let spawnSetSID: Int32 = 0x80

    private typealias CloseFromFunction = @convention(c) (
        UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private typealias ChdirFunction = @convention(c) (
        UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    /// Finds `name` on `searchPath` (a colon-separated `PATH`) unless it already contains a slash.
    static func resolveExecutable(_ name: String, searchPath: String?) -> String? {
        if name.isEmpty { return nil }
        if name.contains("/") { return isExecutableFile(name) ? name : nil }
        let directories = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
              !isDirectory.boolValue else { return false }
        return access(path, X_OK) == 0
    }

    /// Spawns `executable` with `arguments` (including argv[0]) and returns its pid.
    static func spawn(executable: String, arguments: [String], environment: [String: String],
                      logPath: String, workingDirectory: String?) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&actions) == 0 else { throw SpawnError("posix_spawn setup failed") }
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        guard posix_spawnattr_init(&attributes) == 0 else { throw SpawnError("posix_spawn setup failed") }
        defer { posix_spawnattr_destroy(&attributes) }

        try check(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0), "stdin")
        try check(posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_APPEND | O_CREAT, 0o600),
                  "stdout")
        try check(posix_spawn_file_actions_adddup2(&actions, 1, 2), "stderr")
        if let closeFrom: CloseFromFunction = lookup("posix_spawn_file_actions_addclosefrom_np") {
            try check(closeFrom(&actions, 3), "close descriptors")
        }
        if let directory = workingDirectory {
            guard let chdir: ChdirFunction = lookup("posix_spawn_file_actions_addchdir_np") else {
                throw SpawnError("this C library cannot set the working directory of a spawned process")
            }
            try check(chdir(&actions, directory), "working directory")
        }

        var defaults = sigset_t()
        sigfillset(&defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        try check(posix_spawnattr_setsigdefault(&attributes, &defaults), "signal defaults")
        try check(posix_spawnattr_setsigmask(&attributes, &mask), "signal mask")
        let flags = spawnSetSID | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        try check(posix_spawnattr_setflags(&attributes, Int16(flags)), "flags")

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnError("Could not start \(executable): \(errorText(result))")
        }
        return pid
    }

    private static func check(_ result: Int32, _ what: String) throws {
        if result != 0 { throw SpawnError("posix_spawn setup (\(what)) failed: \(errorText(result))") }
    }

    /// Looks a C function up at run time (GNU extensions the Glibc module does not import).
    private static func lookup<Function>(_ symbol: String) -> Function? {
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), symbol) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }

    /// The `strerror` text of an errno value.
    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Minimal posix_spawn/waitpid helpers for the test harness (Foundation's Process can hang in
/// waitUntilExit when used from async tests on Linux).
enum ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `argv` (an absolute path first) with stdin from /dev/null, stdout to `stdoutPath`
    /// and stderr to `stderrPath`; returns its pid.
    static func spawn(
        _ argv: [String], stdoutPath: String = "/dev/null", stderrPath: String = "/dev/null"
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, argv[0], &actions, nil, arguments, environ)
        guard status == 0 else { throw Failure(description: "cannot start \(argv[0]): error \(status)") }
        return pid
    }

    /// Waits for `pid` and returns its exit status (128 + signal when killed).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Whether `pid` (our child) has exited; reaps it if so.
    static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    /// Runs `argv` to completion and returns its standard output; throws on a non-zero exit
    /// unless `allowFailure`.
    @discardableResult
    static func run(_ argv: [String], allowFailure: Bool = false) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("child-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = wait(try spawn(argv, stdoutPath: outputPath))
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 || allowFailure else {
            throw Failure(description: "\(argv.joined(separator: " ")) exited with \(status): \(output)")
        }
        return output
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The per-server log file a local server's stdout and stderr are appended to.
struct ServerLogFile {
    /// `<directory>/<user>.log` for the default server, `<directory>/<user>-<server>.log` for a named one.
    static func path(directory: String, user: String, server: String) -> String {
        let base = server.isEmpty ? user : "\(user)-\(server)"
        let safe = String(base.map { $0 == "/" || $0 == "\0" ? "_" : $0 })
        let trimmed = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        return "\(trimmed)/\(safe).log"
    }

    /// Creates the directory (mode 0700) if missing and the file with mode 0600, leaving existing content.
    static func prepare(directory: String, path: String) throws {
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                throw SpawnError("Could not create log directory \(directory): \(error)")
            }
            chmod(directory, 0o700)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SpawnError("Could not open log file \(path): \(ProcessLauncher.errorText(errno))")
        }
        defer { close(fd) }
        if fchmod(fd, 0o600) != 0 {
            throw SpawnError("Could not set the mode of \(path): \(ProcessLauncher.errorText(errno))")
        }
    }

    /// The last `lines` lines of the file (reading at most its last 64 KiB); empty when unreadable.
    static func tail(path: String, lines: Int = 20) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return "" }
        let window: UInt64 = 65_536
        let start = size > window ? size - window : 0
        guard (try? handle.seek(toOffset: start)) != nil,
              let data = try? handle.readToEnd() else { return "" }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines).joined(separator: "\n")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat(2)` says of a file: enough to tell whether two names are the same file, or whether a file changed.
///
/// One place calls `stat`: several C modules (Glibc, CoreFoundation, Dispatch) declare `struct stat`, and which of
/// them Swift credits with it varies between builds, which `MemberImportVisibility` then reports in the callers.
public struct FileStatus: Sendable, Equatable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    /// File type and permission bits (`st_mode`).
    public let mode: UInt32
    /// Modification time, seconds and nanoseconds since the epoch.
    public let modified: (seconds: Int, nanoseconds: Int)

    /// The status of `path` (following links), nil if it cannot be read.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    /// The status of an open file descriptor, nil if it is not open.
    public init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(info)
    }

    private init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        mode = UInt32(info.st_mode)
        #if canImport(Darwin)
        modified = (Int(info.st_mtimespec.tv_sec), Int(info.st_mtimespec.tv_nsec))
        #else
        modified = (Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec))
        #endif
    }

    public static func == (lhs: FileStatus, rhs: FileStatus) -> Bool {
        lhs.device == rhs.device && lhs.inode == rhs.inode && lhs.size == rhs.size && lhs.modified == rhs.modified
            && lhs.mode == rhs.mode
    }
}

import Foundation
import HubConfig
import HubModel
import Logging

/// The process-wide logging set-up for `slurmhub serve`: plain lines (swift-log's stderr format) or journald lines
/// with priority prefixes (``JournalLogHandler``), as `log.format` says.
public enum HubLogging {
    /// Bootstraps swift-log (once per process) with the configured level and format.
    public static func bootstrap(level: Logger.Level, format: LogFormat,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) {
        if usesJournal(format: format, environment: environment) {
            LoggingSystem.bootstrap { label in
                var handler = JournalLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        } else {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }

    /// Whether lines get journald priority prefixes: always for `journal`, never for `plain`, and for `auto` when
    /// stderr is the stream systemd connected to the journal (`JOURNAL_STREAM` names its device and inode; a
    /// redirected stderr, or a child that inherited the variable, does not match).
    public static func usesJournal(format: LogFormat, environment: [String: String]) -> Bool {
        switch format {
        case .journal: return true
        case .plain: return false
        case .auto: return environment["JOURNAL_STREAM"].map { standardErrorIs(journalStream: $0) } ?? false
        }
    }

    /// Whether file descriptor 2 is the file `journalStream` (`DEVICE:INODE`, decimal) names.
    static func standardErrorIs(journalStream: String) -> Bool {
        guard let identity = JournalStreamIdentity(journalStream) else { return false }
        guard let status = FileStatus(descriptor: 2) else { return false }
        return status.device == identity.device && status.inode == identity.inode
    }
}

/// `JOURNAL_STREAM`'s value: the device and inode numbers of the journal stream, `DEVICE:INODE`.
struct JournalStreamIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        self.device = device
        self.inode = inode
    }
}

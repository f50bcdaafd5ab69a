import Foundation
import Logging
import NIOConcurrencyHelpers

/// Writes log records to stderr for journald's stream protocol: every line starts with `<N>`, the syslog priority
/// of the record's level, which journald turns into the entry's `PRIORITY=` (and strips). No timestamp: the
/// journal has its own. A multi-line message keeps its priority on every line.
///
///     <6>slurmhub.proxy: proxy listening [address=0.0.0.0:8000]
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    /// A handler for loggers labelled `label`.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        StandardError.write(Self.format(level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

    /// The syslog priority journald records for a level (`trace` and `debug` are both debug).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// The record's lines, each with the priority prefix; metadata (sorted by key) after the first line.
    static func format(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        let prefix = "<\(priority(level))>\(label):"
        var lines = message.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if lines.isEmpty { lines = [""] }
        if !metadata.isEmpty {
            lines[0] += " [" + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "]"
        }
        return lines.enumerated().map { index, line in
            index == 0 ? "\(prefix) \(line)\n" : "\(prefix)   \(line)\n"
        }.joined()
    }
}

/// Whole records to file descriptor 2, one record at a time, so that concurrent records never interleave.
enum StandardError {
    private static let lock = NIOLock()

    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        lock.withLock {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Foundation.write(2, $0.baseAddress, $0.count) }
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

import Foundation

/// JupyterHub's and configurable-http-proxy's timestamp formats, and one lenient parser for both.
public enum Timestamp {
    /// `2025-01-02T03:04:05.123456Z` (UTC, microseconds), as JupyterHub's REST API writes it.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        let micros = Int(((seconds - whole) * 1_000_000).rounded(.down)) % 1_000_000
        let base = ISOTimestamp.format(Date(timeIntervalSince1970: whole))
        return String(base.dropLast(4)) + String(format: "%06d", micros) + "Z"
    }

    /// Formats an optional date, `nil` staying `nil`.
    public static func format(_ date: Date?) -> String? {
        date.map { format($0) }
    }

    /// `2025-01-02T03:04:05.123Z` (milliseconds), as configurable-http-proxy writes `last_activity`.
    public static func formatMilliseconds(_ date: Date) -> String {
        ISOTimestamp.format(date)
    }

    /// Parses ISO 8601 leniently: `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:]MM]`; no zone means UTC.
    public static func parse(_ text: String) -> Date? {
        ISOTimestamp.parse(text.trimmingCharacters(in: .whitespaces))
    }
}

import Foundation

/// JupyterHub's timestamp format: `2025-01-02T03:04:05.123456Z` (UTC, microseconds).
public enum Timestamp {
    /// Formats a date the way JupyterHub's REST API does.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        let micros = Int(((seconds - whole) * 1_000_000).rounded()) % 1_000_000
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros
        )
    }

    /// Formats an optional date, `nil` staying `nil`.
    public static func format(_ date: Date?) -> String? {
        date.map { format($0) }
    }

    /// Parses ISO 8601 leniently: with or without fractional seconds, `Z` or an offset, or no zone (UTC).
    public static func parse(_ text: String) -> Date? {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.isEmpty { return nil }
        if value.hasSuffix("z") { value.removeLast(); value += "Z" }
        let hasZone = value.hasSuffix("Z") || value.range(of: #"[+-]\d{2}:?\d{2}$"#, options: .regularExpression) != nil
        if !hasZone { value += "Z" }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: value) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: value) { return date }
        // Fractions longer than milliseconds: cut them and add them back by hand.
        if let dot = value.firstIndex(of: "."),
           let zoneStart = value[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let fraction = Double("0" + value[dot..<zoneStart]) ?? 0
            let trimmed = String(value[..<dot]) + String(value[zoneStart...])
            if let date = plain.date(from: trimmed) { return date.addingTimeInterval(fraction) }
        }
        return nil
    }
}

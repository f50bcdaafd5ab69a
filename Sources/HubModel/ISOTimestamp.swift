import Foundation

/// ISO 8601 formatting and tolerant parsing for `last_activity` and `inactive_since`,
/// done with plain arithmetic (UTC, proleptic Gregorian calendar).
enum ISOTimestamp {
    /// Formats as `2025-01-02T03:04:05.123Z` (millisecond precision, like JavaScript's toISOString).
    static func format(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let days = floorDiv(totalMillis, 86_400_000)
        let millisOfDay = totalMillis - days * 86_400_000
        let (year, month, day) = civil(fromDays: days)
        let hour = millisOfDay / 3_600_000
        let minute = millisOfDay / 60_000 % 60
        let second = millisOfDay / 1000 % 60
        let millis = millisOfDay % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):"
            + "\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    /// Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:]MM]`; no zone means UTC.
    static func parse(_ string: String) -> Date? {
        var scanner = Scanner(bytes: Array(string.utf8))
        guard let year = scanner.number(digits: 4), scanner.expect("-"),
            let month = scanner.number(digits: 2), scanner.expect("-"),
            let day = scanner.number(digits: 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Double(days(fromYear: year, month: month, day: day)) * 86_400
        if scanner.expect("T") || scanner.expect("t") || scanner.expect(" ") {
            guard let hour = scanner.number(digits: 2), scanner.expect(":"),
                let minute = scanner.number(digits: 2), hour < 24, minute < 60
            else { return nil }
            seconds += Double(hour * 3600 + minute * 60)
            if scanner.expect(":") {
                guard let second = scanner.number(digits: 2), second < 61 else { return nil }
                seconds += Double(second)
                if scanner.expect(".") || scanner.expect(",") {
                    var scale = 0.1
                    var sawDigit = false
                    while let digit = scanner.digit() {
                        seconds += Double(digit) * scale
                        scale /= 10
                        sawDigit = true
                    }
                    if !sawDigit { return nil }
                }
            }
            if scanner.expect("Z") || scanner.expect("z") {
                // UTC
            } else if let sign = scanner.sign() {
                guard let offsetHours = scanner.number(digits: 2) else { return nil }
                _ = scanner.expect(":")
                let offsetMinutes = scanner.number(digits: 2) ?? 0
                seconds -= Double(sign * (offsetHours * 3600 + offsetMinutes * 60))
            }
        }
        guard scanner.atEnd else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }
        mutating func expect(_ char: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: char) else { return false }
            index += 1
            return true
        }
        mutating func digit() -> Int? {
            guard index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 else { return nil }
            index += 1
            return Int(bytes[index - 1] - 48)
        }
        mutating func number(digits: Int) -> Int? {
            var value = 0
            for _ in 0..<digits {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        mutating func sign() -> Int? {
            if expect("+") { return 1 }
            if expect("-") { return -1 }
            return nil
        }
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
    private static func days(fromYear year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

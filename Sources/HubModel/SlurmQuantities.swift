/// Slurm's spellings of memory sizes and time limits, shared by config validation and user options.
public enum SlurmQuantities {
    /// `512`, `512M`, `4G`, `1T`, `2048K` in MiB (no unit: MiB, as Slurm reads `--mem`); nil if malformed.
    public static func memoryMiB(_ text: String) -> Int? {
        guard let match = text.wholeMatch(of: /([0-9]{1,9})([KMGTkmgt]?)/), let number = Int(match.1) else { return nil }
        switch match.2.uppercased() {
        case "K": return (number + 1023) / 1024
        case "G": return number * 1024
        case "T": return number * 1024 * 1024
        default: return number
        }
    }

    /// Why a runtime is malformed.
    public enum RuntimeProblem: Error, Sendable { case malformed, minutesOrSecondsTooLarge }

    /// `[d-]hh[:mm[:ss]]` (e.g. `2`, `02:30`, `1-12:00:00`) in seconds.
    public static func seconds(runtime text: String) throws(RuntimeProblem) -> Int {
        guard let match = text.wholeMatch(of: /(?:([0-9]{1,3})-)?([0-9]{1,2})(?::([0-9]{2}))?(?::([0-9]{2}))?/) else {
            throw .malformed
        }
        let days = match.1.flatMap { Int($0) } ?? 0
        let hours = Int(match.2) ?? 0
        let minutes = match.3.flatMap { Int($0) } ?? 0
        let seconds = match.4.flatMap { Int($0) } ?? 0
        guard minutes < 60, seconds < 60 else { throw .minutesOrSecondsTooLarge }
        return ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    }

    /// Seconds as Slurm's `--time` form `[D-]HH:MM:SS`.
    public static func runtime(seconds total: Int) -> String {
        let days = total / 86400, hours = total / 3600 % 24, minutes = total / 60 % 60, seconds = total % 60
        let clock = [hours, minutes, seconds].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
        return days > 0 ? "\(days)-\(clock)" : clock
    }
}

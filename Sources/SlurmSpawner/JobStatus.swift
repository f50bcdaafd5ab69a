import Foundation
/// What the scheduler says about one job, read from one batched `squeue` for all tracked jobs.
public enum JobStatus: Sendable, Equatable {
    /// Queued; Slurm's pending reason (`%r`), e.g. `Resources` or `Priority`.
    case pending(reason: String)
    /// Running (or completing) on `node`.
    case running(node: String)
    /// Not in the queue any more (finished, cancelled, failed, or never known).
    case gone
}

/// The batched status query and its parser.
public enum SqueueQuery {
    /// Output format: job id, state, pending reason, first node, comment (our tag); `|`-separated.
    public static let format = "%i|%T|%r|%B|%k"

    /// `squeue` arguments for all jobs in `ids` (one call per poll interval, whatever the number of users).
    public static func arguments(squeue: String, jobIDs: [String]) -> [String] {
        [squeue, "--noheader", "--states=all", "--format=\(format)", "--jobs=\(jobIDs.joined(separator: ","))"]
    }

    /// Parses `squeue` output (stdout and stderr together) into statuses for `jobIDs`; ids absent
    /// from the output are gone.
    ///
    /// Throws when the output is not squeue's: the caller then treats every job as "unknown",
    /// never as gone (a controller timeout must not stop servers).
    public static func parse(_ output: String, jobIDs: [String]) throws -> [String: JobStatus] {
        var statuses = Dictionary(uniqueKeysWithValues: jobIDs.map { ($0, JobStatus.gone) })
        // When none of the ids is known any more (purged after MinJobAge), squeue says so and exits 1.
        if output.contains("Invalid job id specified") { return statuses }
        for line in output.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, fields[0].allSatisfy({ $0.isNumber || $0 == "_" }) else {
                throw SqueueError(line: String(line))
            }
            let id = fields[0]
            guard statuses[id] != nil else { continue }
            switch fields[1] {
            case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "SUSPENDED":
                statuses[id] = .pending(reason: fields[2])
            case "RUNNING", "COMPLETING":
                statuses[id] = .running(node: fields[3])
            default:
                statuses[id] = .gone
            }
        }
        return statuses
    }
}

/// `squeue` printed something that is not a job line.
public struct SqueueError: Error, Sendable, CustomStringConvertible {
    public let line: String
    public var description: String { "unexpected squeue output: \(line.prefix(200))" }
}

import CSystemd
import Foundation

/// Talks to the service manager over `$NOTIFY_SOCKET` (libsystemd's `sd_notify`), for `Type=notify` units and
/// `podman run --sdnotify=container`. Every call is a no-op when `NOTIFY_SOCKET` is unset (a terminal, a test,
/// a container without `--sdnotify=container`), so callers never need to check.
///
/// Under podman, conmon forwards only `READY=1` and `WATCHDOG=1` to systemd and drops everything else
/// (`STATUS=`, `STOPPING=1`, `RELOADING=1`); each message therefore goes out as its own datagram, so that a
/// status line never hides a readiness or watchdog message from that filter.
public struct SystemdNotifier: Sendable {
    /// Whether `NOTIFY_SOCKET` was set when the notifier was made.
    public let isEnabled: Bool

    /// The watchdog timeout the service manager enforces (`WATCHDOG_USEC`), if it enforces one for this process.
    /// Ping with ``watchdog()`` at half of it.
    public let watchdogTimeout: Duration?

    /// Reads `NOTIFY_SOCKET` and the watchdog settings of this process.
    /// - Parameter environment: the process environment (the variables libsystemd reads; tests pass their own
    ///   to check the decision, but `sd_notify` always uses the real environment).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        isEnabled = !(environment["NOTIFY_SOCKET"] ?? "").isEmpty
        watchdogTimeout = isEnabled ? Self.watchdogTimeout(environment: environment) : nil
    }

    /// `READY=1`: start-up is complete (listeners bound, servers restored), with an optional status line.
    public func ready(status: String? = nil) {
        send(["READY=1"])
        if let status { self.status(status) }
    }

    /// `STATUS=…`: a one-line, human-readable state shown by `systemctl status`.
    public func status(_ text: String) {
        send(["STATUS=" + Self.singleLine(text)])
    }

    /// `WATCHDOG=1`: the keep-alive ping.
    public func watchdog() {
        send(["WATCHDOG=1"])
    }

    /// `STOPPING=1`: a graceful shutdown has begun.
    public func stopping(status: String? = nil) {
        send(["STOPPING=1"])
        if let status { self.status(status) }
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=`: a configuration reload has begun. systemd 253 and later require the
    /// timestamp for `Type=notify-reload`; follow with ``reloaded(status:)`` once the new configuration is in effect.
    public func reloading(status: String? = nil) {
        send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"])
        if let status { self.status(status) }
    }

    /// `READY=1` after ``reloading(status:)``: the reload is complete (or failed and the old configuration stays).
    public func reloaded(status: String? = nil) {
        ready(status: status)
    }

    /// Sends one datagram with `assignments` (`KEY=value`), one per line. A no-op without `NOTIFY_SOCKET`.
    /// - Returns: whether the message was sent.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        guard isEnabled, !assignments.isEmpty else { return false }
        // unset_environment 0: the variables stay for the next message (and for sd_watchdog_enabled).
        return sd_notify(0, assignments.joined(separator: "\n")) > 0
    }

    /// `WATCHDOG_USEC` as libsystemd interprets it (also honouring `WATCHDOG_PID`, which must be this process).
    /// The real environment decides; `environment` only short-circuits when the variable is absent there.
    static func watchdogTimeout(environment: [String: String]) -> Duration? {
        guard environment["WATCHDOG_USEC"] != nil else { return nil }
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    /// `CLOCK_MONOTONIC` in microseconds, as `MONOTONIC_USEC=` expects.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    /// A status line must not contain newlines: they would start another `KEY=value` assignment.
    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}

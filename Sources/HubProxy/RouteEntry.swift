import Atomics
import Foundation

/// A stored route with a lock-free last-activity timestamp.
///
/// Entries are immutable except for `lastActivityNanos`, so the proxy's hot path can touch
/// them after the table lock has been released.
final class RouteEntry: Sendable {
    let path: String
    let targetString: String
    let target: UpstreamTarget
    let data: [String: RouteDataValue]
    private let lastActivityNanos: ManagedAtomic<Int64>

    init(path: String, targetString: String, target: UpstreamTarget, data: [String: RouteDataValue], now: Date) {
        self.path = path
        self.targetString = targetString
        self.target = target
        self.data = data
        self.lastActivityNanos = ManagedAtomic(RouteEntry.nanos(now))
    }

    /// Records activity now.
    func touch() {
        lastActivityNanos.store(RouteEntry.nowNanos(), ordering: .relaxed)
    }

    var lastActivity: Date {
        Date(timeIntervalSince1970: Double(lastActivityNanos.load(ordering: .relaxed)) / 1e9)
    }

    var route: Route {
        Route(path: path, target: targetString, data: data, lastActivity: lastActivity)
    }

    static func nanos(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1e9).rounded())
    }

    static func nowNanos() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// The result of a route lookup: the matched route prefix and its target.
public struct RouteMatch: Sendable {
    let entry: RouteEntry

    /// The normalized route path that matched (the longest matching prefix).
    public var path: String { entry.path }
    /// The upstream URL of the matched route.
    public var target: String { entry.targetString }
    /// Data stored with the matched route.
    public var data: [String: RouteDataValue] { entry.data }

    /// Records activity on the matched route now (lock-free).
    public func touch() { entry.touch() }
}

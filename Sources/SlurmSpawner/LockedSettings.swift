import Foundation

/// The spawner's configuration and job script, read by every spawn and poll and replaced as one by a
/// configuration reload.
final class LockedSettings: @unchecked Sendable {
    // @unchecked: `value` is only touched while `lock` is held.
    typealias Value = (configuration: SlurmJobSpawner.Configuration, script: JobScript)
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    var current: Value { lock.withLock { value } }

    func replace(_ newValue: Value) { lock.withLock { value = newValue } }
}

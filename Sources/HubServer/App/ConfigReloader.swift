import Foundation
import HubConfig
import Logging
import NIOConcurrencyHelpers
import Prometheus
import ServiceLifecycle
import UnixSignals

/// Applies configuration changes while the hub runs, on `SIGHUP` (`systemctl reload`, `podman kill --signal HUP`)
/// and when a watched file changes (``WatchedFiles``, every `hub.config_watch_interval` seconds).
///
/// A reload reads and validates the whole configuration, builds everything that depends on it, and only then
/// swaps it in; if anything fails, the running configuration stays and the reason is logged. Listeners, the
/// proxy's connections and running servers are never touched; keys that only apply at start-up
/// (``LiveConfigChange/restartRequired``) keep their running values and are reported. The service manager sees
/// `RELOADING=1` … `READY=1` around each reload.
struct ConfigReloader: Service, CustomStringConvertible {
    /// The configuration file (nil: defaults and `SLURMHUB_*` variables only).
    let path: String?
    let components: HubComponents
    let spawner: SpawnerReloading
    /// The listeners' certificates, read again on every reload.
    let certificates: HubCertificates?
    let notifier: SystemdNotifier
    let readiness: StartupReadiness
    let logger: Logger
    /// The watched files as last read by a reload or seen by the watcher.
    private let baseline: Baseline

    init(path: String?, components: HubComponents, spawner: SpawnerReloading, certificates: HubCertificates? = nil,
         notifier: SystemdNotifier, readiness: StartupReadiness, logger: Logger) {
        self.path = path
        self.components = components
        self.spawner = spawner
        self.certificates = certificates
        self.notifier = notifier
        self.readiness = readiness
        self.logger = logger
        baseline = Baseline(WatchedFiles(paths: WatchedFiles.paths(configPath: path, config: components.config)))
    }

    /// What ServiceLifecycle logs for this service: the file, not the components (which hold secrets).
    var description: String { "ConfigReloader(\(path ?? "no config file"))" }

    final class Baseline: Sendable {
        private let box: NIOLockedValueBox<WatchedFiles>
        init(_ files: WatchedFiles) { box = NIOLockedValueBox(files) }
        var files: WatchedFiles {
            get { box.withLockedValue { $0 } }
            set { box.withLockedValue { $0 = newValue } }
        }
    }

    /// Why a reload runs; file changes name the files.
    enum Trigger: Sendable, CustomStringConvertible {
        case signal
        case files([String])

        var description: String {
            switch self {
            case .signal: "SIGHUP"
            case .files(let paths): "changed: " + paths.joined(separator: ", ")
            }
        }
    }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        let (triggers, continuation) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(4))
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in signals { continuation.yield(.signal) }
                }
                group.addTask { await watch(into: continuation) }
                group.addTask {
                    // One reload at a time, and none before start-up is complete.
                    await readiness.waitUntilReady()
                    for await trigger in triggers { await reload(trigger) }
                }
                await group.waitForAll()
            }
        }
        continuation.finish()
    }

    /// Polls the watched files; a change is reported once the files have stayed the same for a moment, so that
    /// a file caught half-written is not reloaded (and refused) on the way.
    func watch(into continuation: AsyncStream<Trigger>.Continuation) async {
        while !Task.isCancelled {
            let interval = components.config.hub.configWatchInterval
            do { try await Task.sleep(for: .milliseconds(Int((interval > 0 ? interval : 5) * 1000))) } catch { return }
            // A reload during the sleep may have switched watching off.
            guard components.config.hub.configWatchInterval > 0 else { continue }
            let paths = WatchedFiles.paths(configPath: path, config: components.config)
            var current = WatchedFiles(paths: paths)
            guard !current.changes(since: baseline.files).isEmpty else {
                baseline.files = current
                continue
            }
            // Settle: wait until two looks in a row agree.
            while true {
                do { try await Task.sleep(for: .milliseconds(300)) } catch { return }
                let again = WatchedFiles(paths: paths)
                if again == current { break }
                current = again
            }
            let changed = current.changes(since: baseline.files)
            baseline.files = current
            if !changed.isEmpty { continuation.yield(.files(changed)) }
        }
    }

    /// Loads, validates and applies the configuration, or keeps the running one and logs why.
    func reload(_ trigger: Trigger) async {
        notifier.reloading(status: "reloading the configuration (\(trigger))")
        let running = components.live.current
        // What is read from here on is what the watcher compares with (a SIGHUP after an edit reloads it once);
        // files changed since its last look count as changed by this reload.
        let seen = WatchedFiles(paths: WatchedFiles.paths(configPath: path, config: running.config))
        var changedFiles = seen.changes(since: baseline.files)
        if case .files(let paths) = trigger { changedFiles += paths }
        baseline.files = seen
        let outcome: String
        do {
            let loaded = try ConfigLoader.load(path: path)
            let change = LiveConfigChange(running: running.config, loaded: loaded)
            let parts = try await LiveSettings.Parts.build(
                config: change.applied, store: components.store, policy: components.policy, logger: logger, previous: running)
            // Everything is built. The store's updates (idempotent) go first: if the database fails, nothing in
            // memory has changed yet. Then one swap: pages, the Hub and the spawner all read the new parts.
            try await parts.register(in: components.store)
            components.live.replace(with: parts)
            if change.applied.spawner.kind == .slurm, changedFiles.contains(change.applied.spawner.slurm.knownHostsFile) {
                await spawner.hostKeysChanged()
            }
            for key in change.restartRequired {
                logger.warning("\(key) changed in the configuration: it applies only at start-up; restart slurmhub to use it")
            }
            let what = change.changedSections.isEmpty ? "no live setting changed" : "changed: " + change.changedSections.joined(separator: ", ")
            logger.notice("configuration reloaded (\(trigger)); \(what)")
            outcome = "applied"
        } catch {
            let reason = ((error as? ConfigError)?.message ?? "\(error)").split(whereSeparator: \.isNewline).joined(separator: " ")
            logger.error("configuration reload refused (\(trigger)): \(reason); the running configuration stays")
            outcome = "refused"
        }
        // The certificate is independent of the file: a renewal is picked up even when the edit is refused.
        certificates?.reload()
        components.metrics.configReloads(result: outcome).increment()
        let counts = await components.hub.serverCounts()
        notifier.reloaded(status: outcome == "applied" ? counts.statusLine : "\(counts.statusLine); last reload refused, see the log")
    }
}

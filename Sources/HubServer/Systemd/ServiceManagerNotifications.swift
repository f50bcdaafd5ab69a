import Logging
import ServiceLifecycle

/// Keeps the service manager informed for the life of the hub: `READY=1` once every ``StartupReadiness`` step is
/// done, `STATUS=` with the server counts whenever they change (checked every `statusInterval`), `WATCHDOG=1` at
/// half the watchdog timeout from the start, and `STOPPING=1` as soon as a graceful shutdown begins.
///
/// Added last to the service group, so that it is the first to hear of a graceful shutdown (services are shut
/// down in reverse order). Without `NOTIFY_SOCKET` it only logs readiness.
struct ServiceManagerNotifications: Service {
    let notifier: SystemdNotifier
    let readiness: StartupReadiness
    /// The current counts; a round trip through the hub actor, so the watchdog also proves it responds.
    let counts: @Sendable () async -> ServerCounts
    var statusInterval: Duration = .seconds(5)
    let logger: Logger

    func run() async throws {
        let notifier = self.notifier
        await withGracefulShutdownHandler {
            await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    if let timeout = notifier.watchdogTimeout {
                        logger.info("systemd watchdog: \(timeout) timeout, pinging every \(timeout / 2)")
                        group.addTask { await pingWatchdog(every: timeout / 2) }
                    }
                    group.addTask { await announce() }
                    await group.waitForAll()
                }
            }
        } onGracefulShutdown: {
            notifier.stopping(status: "stopping; user servers keep running")
        }
    }

    /// READY=1 when start-up is complete, then STATUS= whenever the counts change.
    func announce() async {
        notifier.status("starting: binding listeners, restoring servers")
        await readiness.waitUntilReady()
        guard await readiness.isReady else { return }
        var last = await counts()
        notifier.ready(status: last.statusLine)
        logger.info("ready: proxy, hub API and routes are up (\(last.statusLine))",
                    metadata: notifier.isEnabled ? ["notified": "systemd"] : [:])
        while !Task.isCancelled {
            do { try await Task.sleep(for: statusInterval) } catch { return }
            let current = await counts()
            if current != last {
                notifier.status(current.statusLine)
                last = current
            }
        }
    }

    /// WATCHDOG=1 every `interval`, each after a round trip through the hub.
    func pingWatchdog(every interval: Duration) async {
        while !Task.isCancelled {
            _ = await counts()
            notifier.watchdog()
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}

/// One container setting, written once in both syntaxes: the Quadlet `[Container]` key and the `podman run`
/// argument that Quadlet turns it into. Rendering both unit files from the same list keeps them in step.
struct ContainerSetting: Sendable, Equatable {
    let key: String
    let value: String
    /// The `podman run` argument (`--flag=value`, or `--flag` alone), before the image.
    let argument: String

    init(_ key: String, _ value: String, _ argument: String) {
        self.key = key
        self.value = value
        self.argument = argument
    }
}

extension ContainerSpec {
    /// Everything about the container except the image and the command (positional in `podman run`).
    var settings: [ContainerSetting] {
        var settings = [
            ContainerSetting("ContainerName", Self.name, "--name=\(Self.name)"),
            // podman auto-update finds the unit through this label (and PODMAN_SYSTEMD_UNIT).
            ContainerSetting("AutoUpdate", autoUpdate, "--label=io.containers.autoupdate=\(autoUpdate)"),
            // NOTIFY_SOCKET reaches the hub: READY=1 and WATCHDOG=1 come from it, not from podman.
            ContainerSetting("Notify", "true", "--sdnotify=container"),
            ContainerSetting("LogDriver", "journald", "--log-driver=journald"),
            ContainerSetting("ReadOnly", "true", "--read-only"),
            ContainerSetting("Tmpfs", "/tmp", "--tmpfs=/tmp"),
            // The operator's uid and gid become the image's user inside: it reads and writes the operator's files on
            // the host, and what it creates stays the operator's.
            ContainerSetting("UserNS", userNamespace, "--userns=\(userNamespace)"),
            ContainerSetting("NoNewPrivileges", "true", "--security-opt=no-new-privileges"),
            ContainerSetting("DropCapability", "all", "--cap-drop=all"),
        ]
        for mount in mounts {
            let volume = "\(mount.path):\(mount.path):\(mount.readOnly ? "ro" : "rw")"
            settings.append(ContainerSetting("Volume", volume, "--volume=\(volume)"))
        }
        for port in ports {
            settings.append(ContainerSetting("PublishPort", "\(port):\(port)", "--publish=\(port):\(port)"))
        }
        // The container does not inherit systemd's WATCHDOG_USEC: it gets the same value as WatchdogSec=.
        let watchdog = "WATCHDOG_USEC=\(Self.watchdogSeconds * 1_000_000)"
        settings += [
            ContainerSetting("Environment", watchdog, "--env=\(watchdog)"),
            ContainerSetting("HealthCmd", healthCommand, "--health-cmd=\(healthCommand)"),
            ContainerSetting("HealthInterval", "30s", "--health-interval=30s"),
            // Start-up restores every server first; failures in this period do not count.
            ContainerSetting("HealthStartPeriod", "2m", "--health-start-period=2m"),
        ]
        return settings
    }

    /// `keep-id` mapped onto the image's non-root user (podman 4.3+).
    var userNamespace: String { "keep-id:uid=\(Self.imageUser),gid=\(Self.imageUser)" }

    /// `LimitNOFILE=` of both units.
    static let descriptorLimit = 524_288

    /// The `[Service]` settings both units share.
    var serviceSettings: [(key: String, value: String)] {
        [
            ("Restart", "on-failure"),
            ("RestartSec", "10s"),
            // Includes pulling the image on the first start.
            ("TimeoutStartSec", "900"),
            ("WatchdogSec", "\(Self.watchdogSeconds)"),
            // Soft and hard descriptor limit for podman, conmon and so the hub (which raises its soft limit to the
            // hard one and fits hub.http.max_connections to it): 524288 is the user manager's usual hard limit.
            ("LimitNOFILE", "\(Self.descriptorLimit)"),
            // The main process is conmon, which does not pass SIGHUP on: signal the container itself.
            ("ExecReload", "/usr/bin/podman kill --signal HUP \(Self.name)"),
        ]
    }
}

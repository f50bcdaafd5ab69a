import Foundation
import HubConfig
import HubModel

/// The files a running hub reads its configuration from, and a cheap fingerprint of each (inode, size,
/// modification time), so that an edit — in place or by renaming a new file over the old one, as editors and
/// `kubectl`/Ansible-style tools do — is noticed by polling. Polling works the same on bind mounts, where
/// inotify may miss a file replaced on the host.
struct WatchedFiles: Equatable {
    /// Fingerprint by path; nil for a file that does not exist (its appearance is a change too).
    private(set) var fingerprints: [String: String?] = [:]

    /// The config file, the site templates, the job template, the service and OAuth secrets, the known_hosts file
    /// and the TLS certificate and key.
    static func paths(configPath: String?, config: HubConfiguration) -> [String] {
        var paths: [String] = []
        if let configPath { paths.append(configPath) }
        let templates = config.ui.templatesDir
        if !templates.isEmpty {
            paths.append(templates)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: templates)) ?? []
            paths += names.filter { $0.hasSuffix(".mustache") }.sorted().map { templates + "/" + $0 }
        }
        if config.spawner.kind == .slurm {
            paths += [config.spawner.slurm.jobTemplateFile, config.spawner.slurm.knownHostsFile]
        }
        if config.auth.kind == .oauth { paths.append(config.auth.oauth.clientSecretFile) }
        paths += config.services.map(\.apiTokenFile)
        if config.hub.tls.enabled { paths += [config.hub.tls.certFile, config.hub.tls.keyFile] }
        if config.hub.apiTLS.enabled { paths += [config.hub.apiTLS.certFile, config.hub.apiTLS.keyFile] }
        return paths.filter { !$0.isEmpty }
    }

    init(paths: [String]) {
        for path in paths { fingerprints[path] = Self.fingerprint(path) }
    }

    /// The paths watched in both `self` and `other` whose fingerprint differs. A path new to the list (the
    /// configuration now names another file) is not a change by itself: the edit that named it was one.
    func changes(since other: WatchedFiles) -> [String] {
        fingerprints.keys.sorted().filter { path in
            guard let before = other.fingerprints[path] else { return false }
            return before != fingerprints[path]
        }
    }

    private static func fingerprint(_ path: String) -> String? {
        guard let info = FileStatus(path: path) else { return nil }
        return "\(info.device):\(info.inode):\(info.size):\(info.modified.seconds).\(info.modified.nanoseconds):\(info.mode)"
    }
}

import Foundation
import HubConfig
@testable import HubDeploy
import XCTest

/// `slurmhub generate systemd`: the Quadlet file and the `podman run` unit must run the same container.
final class SystemdUnitTests: XCTestCase {
    /// A validated configuration from YAML text (every path absolute, as the container needs).
    func configuration(_ yaml: String) throws -> HubConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("slurmhub-\(UUID().uuidString).yaml")
        try Data(yaml.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try ConfigLoader.load(path: url.path, environment: [:])
    }

    let slurmOAuth = """
        hub: {public_bind: "0.0.0.0:8000", api_bind: "0.0.0.0:8081", public_url: "https://jupyter.example.org",
              data_dir: /srv/slurmhub/data}
        auth:
          kind: oauth
          oauth: {issuer: "https://login.example.org", client_id: hub, client_secret_file: /etc/slurmhub/secret,
                  tls_ca_file: /etc/pki/site/ca.pem, allowed_groups: [hpc]}
        spawner:
          kind: slurm
          slurm: {login_nodes: [login1.example.org], partitions: [{name: debug}],
                  ssh_key_file: /etc/slurmhub/ssh/id_ed25519, known_hosts_file: /etc/slurmhub/ssh/known_hosts}
        services: [{name: culler, api_token_file: /srv/slurmhub/data/culler-token}]
        ui: {templates_dir: /etc/slurmhub/templates}
        """

    func artifacts(_ yaml: String, image: String = "registry.example.org/hpc/slurmhub:1") throws -> SystemdUnitArtifacts {
        try SystemdUnitArtifacts(config: configuration(yaml), configPath: "/etc/slurmhub/config.yaml", image: image,
                                 command: "slurmhub generate systemd --config test.yaml")
    }

    func file(_ artifacts: SystemdUnitArtifacts, _ name: String) throws -> String {
        try XCTUnwrap(artifacts.files.first { $0.path == name }?.text, "no \(name)")
    }

    /// `[Section]` → its `Key=value` lines in order (comments and blank lines dropped, continuations joined).
    func sections(_ text: String) -> [String: [(key: String, value: String)]] {
        var result: [String: [(key: String, value: String)]] = [:]
        var section = ""
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if raw.hasPrefix("#") || raw.isEmpty && pending.isEmpty { continue }
            if raw.hasPrefix("[") { section = String(raw.dropFirst().dropLast()); continue }
            if raw.hasSuffix("\\") { pending += raw.dropLast(); continue }
            let line = pending + raw
            pending = ""
            guard let equals = line.firstIndex(of: "=") else { continue }
            result[section, default: []].append((String(line[..<equals]), String(line[line.index(after: equals)...])))
        }
        return result
    }

    /// A systemd command line split into words (double quotes, backslash escapes, `%%` and `$$`).
    func words(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false, quoted = false, escaped = false
        for character in line {
            if escaped { word.append(character); escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case "\"": quoted.toggle(); inWord = true
            case " " where !quoted, "\t" where !quoted:
                if inWord { words.append(word); word = ""; inWord = false }
            default: word.append(character); inWord = true
            }
        }
        if inWord { words.append(word) }
        return words.map { $0.replacingOccurrences(of: "%%", with: "%").replacingOccurrences(of: "$$", with: "$") }
    }

    /// What Quadlet passes to `podman run` for each `[Container]` key (podman-systemd.unit(5)), written out
    /// independently of the generator.
    let quadletToPodman: [String: (String) -> [String]] = [
        "ContainerName": { ["--name=\($0)"] },
        "AutoUpdate": { ["--label=io.containers.autoupdate=\($0)"] },
        "Notify": { $0 == "true" ? ["--sdnotify=container"] : [] },
        "LogDriver": { ["--log-driver=\($0)"] },
        "ReadOnly": { $0 == "true" ? ["--read-only"] : [] },
        "Tmpfs": { ["--tmpfs=\($0)"] },
        "UserNS": { ["--userns=\($0)"] },
        "NoNewPrivileges": { $0 == "true" ? ["--security-opt=no-new-privileges"] : [] },
        "DropCapability": { ["--cap-drop=\($0)"] },
        "Volume": { ["--volume=\($0)"] },
        "PublishPort": { ["--publish=\($0)"] },
        "Environment": { ["--env=\($0)"] },
        "HealthCmd": { ["--health-cmd=\($0)"] },
        "HealthInterval": { ["--health-interval=\($0)"] },
        "HealthStartPeriod": { ["--health-start-period=\($0)"] },
    ]

    /// The arguments of `podman run` that only make the classic unit work (Quadlet adds its own equivalents).
    let unitMechanics: Set<String> = ["--rm", "--detach", "--cgroups=no-conmon"]

    func testQuadletKeysAndPodmanRunFlagsExpressTheSameContainer() throws {
        for yaml in [slurmOAuth, "hub: {public_bind: \":8000\", api_bind: \"0.0.0.0:8081\"}\nauth: {dev: {allow_remote: true}}"] {
            let artifacts = try artifacts(yaml)
            let quadlet = sections(try file(artifacts, "slurmhub.container"))
            let service = sections(try file(artifacts, "container-slurmhub.service"))

            let container = try XCTUnwrap(quadlet["Container"])
            var expected: [String] = []
            for (key, value) in container where !["Image", "Exec"].contains(key) {
                let map = try XCTUnwrap(quadletToPodman[key], "Quadlet key \(key) has no podman equivalent in this test")
                expected += map(value)
            }
            let execStart = try XCTUnwrap(service["Service"]?.first { $0.key == "ExecStart" }?.value)
            var argv = words(execStart)
            XCTAssertEqual(Array(argv.prefix(2)), ["/usr/bin/podman", "run"])
            argv.removeFirst(2)
            let options = Array(argv.prefix { $0.hasPrefix("-") })
            let positional = Array(argv.dropFirst(options.count))
            XCTAssertEqual(options.filter { !unitMechanics.contains($0) }.sorted(), expected.sorted())
            XCTAssertEqual(positional.first, container.first { $0.key == "Image" }?.value)
            let exec = try XCTUnwrap(container.first { $0.key == "Exec" }?.value)
            XCTAssertEqual(Array(positional.dropFirst()), words(exec))
            XCTAssertEqual(words(exec), ["serve", "--config", "/etc/slurmhub/config.yaml"])

            // The [Service] settings Quadlet passes through are the classic unit's too.
            let shared = try XCTUnwrap(quadlet["Service"])
            for (key, value) in shared {
                XCTAssertEqual(service["Service"]?.filter { $0.key == key }.map(\.value), [value], key)
            }
            // The container's WATCHDOG_USEC is WatchdogSec=, so the hub pings at half of what systemd enforces.
            let watchdog = try XCTUnwrap(shared.first { $0.key == "WatchdogSec" }.flatMap { Int($0.value) })
            XCTAssertTrue(container.contains { $0.key == "Environment" && $0.value == "WATCHDOG_USEC=\(watchdog * 1_000_000)" })
            // Both units lift the descriptor limit the hub fits its connection caps to.
            XCTAssertEqual(shared.first { $0.key == "LimitNOFILE" }?.value, "524288")
            XCTAssertEqual(service["Service"]?.first { $0.key == "Type" }?.value, "notify")
            XCTAssertEqual(service["Service"]?.first { $0.key == "NotifyAccess" }?.value, "all")
            XCTAssertTrue(execStart.contains("--sdnotify=container"))
        }
    }

    func testMountsCoverEveryPathOnceAndOnlyTheDataDirectoryIsWritable() throws {
        let text = try file(artifacts(slurmOAuth), "slurmhub.container")
        let volumes = sections(text)["Container"]?.filter { $0.key == "Volume" }.map(\.value)
        XCTAssertEqual(volumes, [
            "/etc/pki/site:/etc/pki/site:ro",           // auth.oauth.tls_ca_file
            "/etc/slurmhub:/etc/slurmhub:ro",           // config, secret, ssh/, templates/ (nested: not again)
            "/srv/slurmhub/data:/srv/slurmhub/data:rw", // hub.data_dir (holds the culler token: not again)
        ])
        XCTAssertTrue(text.contains("PublishPort=8000:8000\nPublishPort=8081:8081\n"))
        XCTAssertTrue(text.contains("HealthCmd=/usr/local/bin/slurmhub health --url http://127.0.0.1:8000/hub/health\n"))
    }

    func testRefusesWhatCannotWorkInTheContainer() throws {
        let loopback = "hub: {public_bind: \"127.0.0.1:8000\"}"
        XCTAssertThrowsError(try artifacts(loopback)) { error in
            XCTAssertTrue("\(error)".contains("must listen on all interfaces"), "\(error)")
        }
        let relative = "hub: {public_bind: \"0.0.0.0:8000\", data_dir: data}\nauth: {dev: {allow_remote: true}}"
        XCTAssertThrowsError(try artifacts(relative)) { error in
            XCTAssertTrue("\(error)".contains("hub.data_dir 'data'"), "\(error)")
        }
        let dev = "hub: {public_bind: \"0.0.0.0:8000\"}\nauth: {dev: {allow_remote: true}}"
        XCTAssertThrowsError(try artifacts(dev, image: "slurmhub:latest")) { error in
            XCTAssertTrue("\(error)".contains("fully qualified"), "\(error)")
        }
        XCTAssertThrowsError(try artifacts(dev, image: "registry.example.org/hub:1\nExecStartPre=/bin/evil"))
        let local = try file(artifacts(dev, image: "localhost/slurmhub:dev"), "slurmhub.container")
        XCTAssertTrue(local.contains("AutoUpdate=local\n"))
        XCTAssertTrue(try file(artifacts(dev), "container-slurmhub.service").contains("--label=io.containers.autoupdate=registry"))
    }

    func testSystemdWordsAreQuotedAndNotExpanded() {
        XCTAssertEqual(SystemdUnitArtifacts.systemdWord("--name=slurmhub"), "--name=slurmhub")
        XCTAssertEqual(SystemdUnitArtifacts.systemdWord("a b"), "\"a b\"")
        XCTAssertEqual(SystemdUnitArtifacts.systemdWord("100%$HOME"), "100%%$$HOME")
        XCTAssertEqual(SystemdUnitArtifacts.systemdWord("say \"hi\" \\"), #""say \"hi\" \\""#)
        XCTAssertEqual(words(SystemdUnitArtifacts.systemdWord("say \"hi\" 100% \\")), ["say \"hi\" 100% \\"])
    }
}

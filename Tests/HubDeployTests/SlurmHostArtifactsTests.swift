import Foundation
import HubConfig
@testable import HubDeploy
import HubServer
import SlurmSpawner
import XCTest

final class SlurmHostArtifactsTests: XCTestCase {
    func configuration(_ slurm: String = "", kind: String = "slurm") throws -> HubConfiguration {
        try slurmConfiguration(slurm, kind: kind)
    }

    func text(_ artifacts: SlurmHostArtifacts, _ path: String) throws -> String {
        try XCTUnwrap(artifacts.files.first { $0.path == path }?.text, "no \(path)")
    }

    /// The names after `prefix` on every line that has it (`Defaults:slurmhub env_keep += "A B"` → A, B).
    func names(in text: String, after prefix: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix(prefix) }.flatMap {
            $0.dropFirst(prefix.count).replacingOccurrences(of: "\"", with: "").split(separator: " ").map(String.init)
        }
    }

    func testEnvironmentModeGrantsExactlySbatchScancelAndTail() throws {
        let config = try configuration()
        let sudoers = try text(SlurmHostArtifacts(config: config, source: "hub.yaml"), "sudoers")
        let lines = sudoers.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Cmnd_Alias SLURMHUB_SLURM = ") })
        XCTAssertEqual(Array(lines[start...(start + 2)]), [
            #"Cmnd_Alias SLURMHUB_SLURM = /usr/bin/sbatch --parsable, \"#,
            #"                            /usr/bin/scancel *, \"#,
            "                            /usr/bin/tail -n 40 -- /home/*/.slurmhub-*.log",
        ])
        XCTAssertEqual(lines[start + 3], "Runas_Alias SLURMHUB_USERS = %jupyterhub-users, !root")
        XCTAssertEqual(lines[start + 4], "slurmhub ALL = (SLURMHUB_USERS) NOPASSWD: SLURMHUB_SLURM")
        XCTAssertFalse(sudoers.contains("/usr/bin/install"))
        XCTAssertFalse(sudoers.contains("umask"))
        XCTAssertTrue(sudoers.contains("Defaults:slurmhub runcwd=~\n"))
        XCTAssertTrue(sudoers.contains("--config hub.yaml"))
    }

    func testEnvKeepAcceptEnvAndSendEnvAreTheSentNames() throws {
        let config = try configuration("environment_allow: [SITE_VAR]\nslurm_conf: /etc/slurm/other.conf")
        let deployment = try SlurmDeployment(config: config)
        let artifacts = try SlurmHostArtifacts(config: config, source: "hub.yaml")
        XCTAssertTrue(deployment.sentNames.contains("JUPYTERHUB_API_TOKEN"))
        XCTAssertTrue(deployment.sentNames.contains("SITE_VAR"))
        XCTAssertEqual(deployment.sentNames.last, "SLURM_CONF")
        XCTAssertEqual(names(in: try text(artifacts, "sudoers"), after: "Defaults:slurmhub env_keep += "), deployment.sentNames)
        let sshd = try text(artifacts, "sshd_config.d/slurmhub.conf")
        XCTAssertEqual(names(in: sshd, after: "    AcceptEnv "), deployment.sentNames)
        XCTAssertTrue(sshd.contains("\nMatch User slurmhub\n"))
        for directive in ["PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitTTY no",
                          "AllowTcpForwarding no", "AllowAgentForwarding no", "X11Forwarding no", "PermitTunnel no"] {
            XCTAssertTrue(sshd.contains("\n    \(directive)\n"), directive)
        }
        let hub = try text(artifacts, "hub-ssh.txt")
        XCTAssertEqual(names(in: hub, after: "        SendEnv "), deployment.sentNames + deployment.sentNames)
    }

    func testTokenFileModeAddsInstallAndDropsTokenNames() throws {
        let config = try configuration("token_delivery: file\nsudo_runas_group: hpcusers")
        let sudoers = try text(SlurmHostArtifacts(config: config, source: "hub.yaml"), "sudoers")
        let lines = sudoers.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains(
            "Cmnd_Alias SLURMHUB_TOKEN_FILE = /usr/bin/install -d -m 0700 /home/*/.slurmhub/tokens, "
                + "/usr/bin/install -m 0600 /dev/null /home/*/.slurmhub/tokens/*, "
                + #"/usr/bin/dd of\=/home/*/.slurmhub/tokens/* status\=none"#))
        XCTAssertTrue(lines.contains("                            SLURMHUB_TOKEN_FILE"))
        XCTAssertFalse(sudoers.contains("umask"))
        XCTAssertTrue(lines.contains("Runas_Alias SLURMHUB_USERS = %hpcusers, !root"))
        let kept = names(in: sudoers, after: "Defaults:slurmhub env_keep += ")
        XCTAssertFalse(kept.contains("JUPYTERHUB_API_TOKEN"))
        XCTAssertFalse(kept.contains("JPY_API_TOKEN"))
        XCTAssertTrue(kept.contains("JUPYTERHUB_API_URL"))
    }

    func testClusterAndPatternsAreEscapedForSudoers() throws {
        let config = try configuration("""
            cluster: west
            home: /home/{username}
            output: "/scratch/{username}/%x-%u-%j%%.log"
            """)
        let rules = try SlurmHostArtifacts.sudoRules(SlurmDeployment(config: config))
        XCTAssertEqual(rules.commands, [
            #"/usr/bin/sbatch --parsable --clusters\=west"#,
            #"/usr/bin/scancel --clusters\=west *"#,
            "/usr/bin/tail -n 40 -- /scratch/*/slurmhub-*-*%.log",
        ])
        XCTAssertEqual(rules.tokenFile, [])
    }

    func testSudoersArgumentsAreEscapedOrRefused() throws {
        let commands = try SlurmDeployment(config: configuration()).spawner.commands
        let user = SlurmHostArtifacts.wildcard
        XCTAssertEqual(
            try SlurmHostArtifacts.sudoersCommand(commands.sudo + [user, "/bin/x", "a,b:c=d\\e", "p/\(user)"], commands: commands),
            #"/bin/x a\,b\:c\=d\\e p/*"#)
        XCTAssertThrowsError(try SlurmHostArtifacts.sudoersCommand(commands.sudo + [user, "/bin/x", "a b"], commands: commands))
        XCTAssertThrowsError(try SlurmHostArtifacts.sudoersCommand(commands.sudo + [user, "/bin/x", "a*"], commands: commands))
        XCTAssertThrowsError(try SlurmHostArtifacts.sudoersCommand(["/bin/x", "a"], commands: commands))
    }

    func testHubSSHNotesNameEveryLoginNode() throws {
        let hub = try text(SlurmHostArtifacts(config: configuration(), source: "hub.yaml"), "hub-ssh.txt")
        XCTAssertTrue(hub.contains("    ssh-keyscan login1.example.org >> /etc/slurmhub/ssh/known_hosts\n"))
        XCTAssertTrue(hub.contains("    ssh-keyscan -p 2222 login2.example.org >> /etc/slurmhub/ssh/known_hosts\n"))
        XCTAssertTrue(hub.contains("          - \"login2.example.org:2222\"\n"))
        XCTAssertTrue(hub.contains("    Host slurmhub-login2.example.org\n        HostName login2.example.org\n        Port 2222\n"))
        XCTAssertTrue(hub.contains("        StrictHostKeyChecking yes\n"))
    }

    func testRefusesOtherSpawnersAndBadGroups() throws {
        XCTAssertThrowsError(try SlurmHostArtifacts(config: configuration(kind: "local"), source: "hub.yaml"))
        XCTAssertThrowsError(try configuration("sudo_runas_group: \"hpc users\""))
        XCTAssertThrowsError(try configuration("sudo_runas_group: \"%wheel\""))
    }
}

"""The appliance seen from the tests: rootless podman as the operator account that scripts/build-image.sh
built the image for, the units `slurmhub generate systemd` writes, and the commands in them.

The container runs with exactly the `podman run` arguments of the generated container-slurmhub.service,
except for this sandbox's two documented deviations: `--runtime runc` (crun cannot create cgroups here) and
`--network=host` instead of `--publish` (no slirp4netns here)."""
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from conftest import BIN, free_port, wait_for

OPERATOR = os.environ.get("SLURMHUB_IMAGE_USER", "hubop")
IMAGE = os.environ.get("SLURMHUB_IMAGE", "localhost/slurmhub:latest")
JOURNALD = Path("/lib/systemd/systemd-journald")
JOURNAL_SOCKET = Path("/run/systemd/journal/socket")


def operator():
    try:
        return pwd.getpwnam(OPERATOR)
    except KeyError:
        pytest.fail(f"no operator account {OPERATOR}: run scripts/build-image.sh first")


def runtime_dir():
    account = operator()
    path = Path(f"/run/user/{account.pw_uid}")
    if not (path.is_dir() and path.stat().st_uid == account.pw_uid):
        path = Path(f"/tmp/xdg-{OPERATOR}")
        path.mkdir(mode=0o700, exist_ok=True)
        os.chown(path, account.pw_uid, account.pw_gid)
    return path


def podman_prefix(env=None):
    """`podman` as the operator with this sandbox's global options (runc, cgroupfs, file events)."""
    account = operator()
    variables = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": account.pw_dir, "USER": OPERATOR,
                 "LOGNAME": OPERATOR, "XDG_RUNTIME_DIR": str(runtime_dir()), **(env or {})}
    return (["runuser", "-u", OPERATOR, "--", "env", "-i"] + [f"{k}={v}" for k, v in variables.items()]
            + ["podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file"])


def podman(*args, check=True, timeout=180, env=None):
    result = subprocess.run(podman_prefix(env) + list(args), capture_output=True, text=True, timeout=timeout, cwd="/")
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def ensure_journald():
    """The units log with --log-driver=journald: without systemd as PID 1 here, run journald by itself."""
    if journald_listening():
        return
    if not JOURNALD.exists():
        pytest.fail(f"{JOURNALD} is missing (Debian package systemd)")
    subprocess.Popen([str(JOURNALD)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for(journald_listening, timeout=10, what="systemd-journald's socket")


def journald_listening():
    """Whether journald answers on its socket (a socket file left by a journald that ended does not)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.connect(str(JOURNAL_SOCKET))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def journal(container_id=None, since=None):
    """What the container (one run of it, or every `slurmhub` container since a time) wrote, from journald."""
    match = f"CONTAINER_ID_FULL={container_id}" if container_id else "CONTAINER_NAME=slurmhub"
    argv = ["journalctl", "--no-pager", "-o", "cat", match] + ([f"--since=@{int(since)}"] if since else [])
    return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout


def unit_commands(unit_text):
    """ExecStart=, ExecStop=, ExecStopPost=, ExecReload= of a unit, each as an argv list."""
    joined = re.sub(r"\\\n\s*", " ", unit_text)
    commands = {}
    for line in joined.splitlines():
        match = re.match(r"^(Exec\w+)=-?(.*)$", line)
        if match:
            commands[match.group(1)] = shlex.split(match.group(2))
    return commands


def sandbox_run_arguments(exec_start):
    """The unit's `podman run …` arguments (after `podman`) with the two sandbox deviations applied."""
    assert exec_start[0] == "/usr/bin/podman" and exec_start[1] == "run", exec_start
    arguments = [a for a in exec_start[1:] if not a.startswith("--publish=")]
    assert len(arguments) == len(exec_start) - 1 - 2, "expected two --publish= flags to replace"
    image_at = arguments.index(IMAGE)
    return arguments[:image_at] + ["--network=host"] + arguments[image_at:]


class Appliance:
    """A host layout as host/prepare-host.sh makes it (config read-only for the operator, data its own), the
    units generated from its config, and the container run from them."""

    def __init__(self, **slurm_overrides):
        from slurm_support import TEST_HOME, slurm_config
        account = operator()
        self.created = time.time()
        self.root = Path(tempfile.mkdtemp(prefix="slurmhub-appliance-", dir="/var/tmp"))
        os.chmod(self.root, 0o755)
        self.etc, self.data, self.units = self.root / "etc", self.root / "data", self.root / "units"
        for path in (self.etc, self.etc / "ssh", self.data, self.units):
            path.mkdir()
        self.public_port, self.api_port = free_port(), free_port()
        self.public = f"http://127.0.0.1:{self.public_port}"
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.password, self.service_token = "appliance-password-1", "appliance-service-token-0123456789"
        (self.etc / "password").write_text(self.password + "\n")
        (self.etc / "admin-token").write_text(self.service_token + "\n")
        shutil.copyfile(TEST_HOME / "ssh" / "id_ed25519", self.etc / "ssh" / "id_ed25519")
        shutil.copyfile(TEST_HOME / "known_hosts", self.etc / "ssh" / "known_hosts")
        spawner = slurm_config(ssh_key_file=str(self.etc / "ssh" / "id_ed25519"),
                               known_hosts_file=str(self.etc / "ssh" / "known_hosts"), **slurm_overrides)
        self.config = {
            "hub": {"public_bind": f"0.0.0.0:{self.public_port}", "api_bind": f"0.0.0.0:{self.api_port}",
                    "api_url_for_servers": self.api, "data_dir": str(self.data), "config_watch_interval": 1},
            "auth": {"kind": "dev", "dev": {"users": ["alice", "bob"], "password_file": str(self.etc / "password"),
                                            "allow_remote": True}},
            "spawner": spawner,
            "services": [{"name": "admin-svc", "api_token_file": str(self.etc / "admin-token"), "admin": True}],
            "proxy": {"api_bind": ""},
        }
        self.config_path = self.etc / "config.yaml"
        self.write_config()
        # Modes as prepare-host.sh sets them: CONFIG_DIR root:operator 0750, ssh/ the operator's, data 0700.
        for path in [self.etc] + list(self.etc.iterdir()):
            os.chown(path, 0, account.pw_gid)
            os.chmod(path, 0o750 if path.is_dir() else 0o640)
        for path in [self.etc / "ssh"] + list((self.etc / "ssh").iterdir()) + [self.data]:
            os.chown(path, account.pw_uid, account.pw_gid)
        os.chmod(self.etc / "ssh", 0o700)
        os.chmod(self.etc / "ssh" / "id_ed25519", 0o600)
        os.chmod(self.etc / "ssh" / "known_hosts", 0o644)
        os.chmod(self.data, 0o700)
        subprocess.run([BIN, "generate", "systemd", "--config", str(self.config_path), "--host-config",
                        str(self.config_path), "--image", IMAGE, "--output-dir", str(self.units)],
                       check=True, capture_output=True, text=True)
        self.commands = unit_commands((self.units / "container-slurmhub.service").read_text())

    def api_headers(self):
        return {"Authorization": f"token {self.service_token}"}

    def container_id(self):
        return podman("container", "inspect", "--format", "{{.Id}}", "slurmhub").stdout.strip()

    def write_config(self):
        account = operator()
        self.config_path.write_text(yaml.safe_dump(self.config))
        os.chown(self.config_path, 0, account.pw_gid)
        os.chmod(self.config_path, 0o640)

    def start(self, notify_socket=None):
        """ExecStartPre, then ExecStart (detached, like systemd runs it), with NOTIFY_SOCKET if given."""
        podman(*self.commands["ExecStartPre"][1:], check=False)
        env = {"NOTIFY_SOCKET": notify_socket} if notify_socket else None
        podman(*sandbox_run_arguments(self.commands["ExecStart"]), env=env)

    def stop(self):
        podman(*self.commands["ExecStop"][1:], check=False, timeout=60)
        podman(*self.commands["ExecStopPost"][1:], check=False)

    def reload(self):
        podman(*self.commands["ExecReload"][1:])

    def remove(self):
        podman("rm", "--ignore", "--force", "slurmhub", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def wait_gone(container="slurmhub", timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if podman("container", "exists", container, check=False).returncode != 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"container {container} still exists")

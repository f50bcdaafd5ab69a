"""The test cluster set up by scripts/slurm-test-cluster.sh, seen from the tests: hub config for the
Slurm spawner, and root-side views of the queue (squeue, scontrol) to check what really happened."""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

VENV_BIN = Path(sys.executable).parent
TEST_HOME = Path("/var/lib/slurmhub-test")
LOGIN_NODE = "127.0.0.1:2222"
SLURMCTLD_STATE = Path("/var/spool/slurmctld")


def run(*argv, check=True, user=None):
    command = (["runuser", "-u", user, "--"] if user else []) + list(argv)
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"{argv} failed: {result.stderr}")
    return result


def require_cluster():
    """Fails (never skips) when the test cluster is not up: CI must bring it up first."""
    problems = []
    if run("squeue", "--noheader", check=False).returncode != 0:
        problems.append("squeue cannot reach slurmctld")
    if not (TEST_HOME / "known_hosts").exists():
        problems.append(f"{TEST_HOME}/known_hosts is missing")
    if run("runuser", "-u", "alice", "--", "test", "-x", str(VENV_BIN / "jupyterhub-singleuser"), check=False).returncode != 0:
        problems.append(f"alice cannot run {VENV_BIN}/jupyterhub-singleuser")
    if problems:
        pytest.fail("the Slurm test cluster is not ready (run scripts/slurm-test-cluster.sh up): " + "; ".join(problems))


def slurm_config(**overrides):
    """`spawner` section for a hub spawning on the test cluster."""
    slurm = {
        "login_nodes": [LOGIN_NODE],
        "ssh_user": "slurmhub",
        "ssh_key_file": str(TEST_HOME / "ssh" / "id_ed25519"),
        "known_hosts_file": str(TEST_HOME / "known_hosts"),
        "environment_allow": ["SLURMHUB_TEST_ALLOWED"],
        "startup_poll_interval": 0.5,
        "cmd": ["jupyterhub-singleuser"],
        "partitions": [
            {"name": "debug", "max_runtime": "12:00:00", "max_cpus": 8, "max_memory": "4G"},
            {"name": "long", "max_runtime": "2-00:00:00", "max_cpus": 8, "max_memory": "4G"},
        ],
        "environments": [
            {"id": "venv", "description": "The test venv", "path": str(VENV_BIN)},
            {"id": "broken", "description": "Loads a module that does not exist", "modules": ["no-such-module/1.0"]},
        ],
    }
    slurm.update(overrides)
    return {"kind": "slurm", "poll_interval": 2, "start_timeout": 120, "http_timeout": 60,
            "environment": {"SLURMHUB_TEST_ALLOWED": "allowed-value"}, "slurm": slurm}


def hub_extra(tmp_hub_api_port=None, **slurm_overrides):
    return {"spawner": slurm_config(**slurm_overrides)}


def jobs(user=None, name=None):
    """Queued and running jobs: list of dicts id/state/user/reason/node/comment/name."""
    argv = ["squeue", "--noheader", "--format=%i|%T|%u|%r|%N|%k|%j"]
    if user:
        argv.append(f"--user={user}")
    if name:
        argv.append(f"--name={name}")
    out = run(*argv).stdout
    keys = ["id", "state", "user", "reason", "node", "comment", "name"]
    return [dict(zip(keys, line.split("|"))) for line in out.splitlines() if line.strip()]


def job_state(job_id):
    out = run("squeue", "--noheader", "--states=all", "--format=%T", f"--jobs={job_id}", check=False).stdout.strip()
    return out or "GONE"


def submit_as(user, *sbatch_args, wrap="sleep 600"):
    """Submits a plain job as `user` (root → runuser), returning its id."""
    # From /tmp with output discarded: the caller's directory is not writable by the test users.
    out = run("sbatch", "--parsable", "--chdir=/tmp", "--output=/dev/null", *sbatch_args, f"--wrap={wrap}",
              user=user).stdout.strip()
    return out.split(";")[0]


def cancel_all_test_jobs():
    for user in ("alice", "bob"):
        run("scancel", f"--user={user}", check=False)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(j["user"] in ("alice", "bob") for j in jobs()):
        time.sleep(0.3)


def server_job_id(hub, user, server=""):
    """The job id the hub recorded for a server (from its SQLite state)."""
    import sqlite3
    row = sqlite3.connect(str(hub.data_dir / "slurmhub.sqlite")).execute(
        "SELECT state FROM servers WHERE userName = ? AND name = ?",
        (user, server)).fetchone()
    return json.loads(row[0] or "{}").get("job_id") if row else None


def metric(hub, name, **labels):
    """The value of one Prometheus sample from /hub/metrics (0 when absent)."""
    text = requests.get(hub.api + "/hub/metrics", headers=hub.api_headers(), timeout=10).text
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        match = re.match(r'^([a-zA-Z_:]+)(\{[^}]*\})?\s+([0-9.eE+-]+)$', line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(match.group(3))
    return total


def server_pid(user):
    """The pid of `user`'s jupyterhub-singleuser process (the job's server)."""
    out = run("pgrep", "-u", user, "-f", "jupyterhub-singleuser", check=False).stdout.split()
    return int(out[0]) if out else None


def process_environment(pid):
    data = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in data if b"=" in item)


def all_command_lines():
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                pass
    return lines


def stored_job_environment(job_id):
    """What slurmctld stored as the job's environment (root-readable state files)."""
    matches = list(SLURMCTLD_STATE.glob(f"hash.*/job.{job_id}/environment"))
    assert matches, f"no stored environment for job {job_id} under {SLURMCTLD_STATE}"
    return matches[0].read_bytes().decode(errors="replace")


def slurmctld_stop():
    run("pkill", "-x", "slurmctld", check=False)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and run("pgrep", "-x", "slurmctld", check=False).returncode == 0:
        time.sleep(0.2)


def slurmctld_start():
    run("/usr/sbin/slurmctld")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if run("squeue", "--noheader", check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("slurmctld did not come back")


def spawn(hub, user="alice", server="", body=None):
    path = f"/users/{user}/server" if not server else f"/users/{user}/servers/{server}"
    return requests.post(hub.api + "/hub/api" + path, headers=hub.api_headers(), json=body, timeout=60)

"""Driver of bench/spawn.sh: Slurm spawn overhead and poll cost of slurmhub vs. batchspawner-style SSH.

Run through bench/spawn.sh (which checks the prerequisites, makes the scratch directory and cleans
up); everything here runs as root against the test cluster of scripts/slurm-test-cluster.sh.

Part 1, submission overhead, N interleaved rounds of three submissions on the same login node:
  - slurmhub: POST /hub/api/users/alice/server; per spawn the delta of the hub's histograms
    slurmhub_slurm_submit_duration_seconds (spawn reaching the spawner -> sbatch returned the job id)
    and slurmhub_slurm_command_duration_seconds{command="sbatch"}; plus the client's view
    (POST sent -> job id visible in the server's state through the REST API). Then DELETE, and wait
    until the server and its job are gone.
  - batchspawner with an ssh exec_prefix: a fresh `ssh ... sudo -n -u alice /usr/bin/sbatch --parsable`
    with a small job script on stdin, timed around the ssh process.
  - floor: `sudo -n -u alice /usr/bin/sbatch --parsable` on this machine, no SSH at all.
Part 2, 100 tracked jobs: 100 `sleep 600` jobs submitted directly (alice and bob alternately, tagged as
slurmhub tags them), 100 server rows written into the hub's SQLite database before the hub starts,
then the deltas of slurmhub_slurm_commands_total{command="squeue"}, slurmhub_ssh_sessions_established_total
and the poll rounds over about ten poll intervals.

Prints a markdown block for BENCHMARKS.md on stdout; progress goes to stderr.
"""
import datetime
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
import yaml

BIN = os.environ["SLURMHUB_BIN"]
WORK = Path(os.environ["WORK"])
N = int(os.environ.get("N", "30"))
JOBS = int(os.environ.get("JOBS", "100"))
POLL_INTERVAL = float(os.environ.get("POLL_INTERVAL", "2"))
POLL_ROUNDS = int(os.environ.get("POLL_ROUNDS", "10"))
TEST_HOME = Path(os.environ.get("SLURMHUB_TEST_HOME", "/var/lib/slurmhub-test"))
SSH_PORT = os.environ.get("SLURMHUB_TEST_SSH_PORT", "2222")
LOGIN_NODE = f"127.0.0.1:{SSH_PORT}"
KEY = TEST_HOME / "ssh" / "id_ed25519"
KNOWN_HOSTS = TEST_HOME / "known_hosts"
VENV_BIN = Path(sys.executable).parent
USERS = ("alice", "bob")

SSH = ["ssh", "-i", str(KEY), "-o", f"UserKnownHostsFile={KNOWN_HOSTS}", "-o", "StrictHostKeyChecking=yes",
       "-o", "BatchMode=yes", "-p", SSH_PORT, "slurmhub@127.0.0.1"]
PEER_SCRIPT = "#!/bin/bash\n#SBATCH --job-name=bench --output=/dev/null --chdir=/tmp --time=00:05:00\nsleep 1\n"
# What the hub's spawns ask for (the job itself is `sleep 600`: it is cancelled right after submission).
SPAWN_BODY = {"partition": "debug", "cpus": 1, "memory": "64M", "runtime": "00:05:00", "environment": "venv"}
SERVICE_TOKEN = "bench-admin-service-token-" + secrets.token_hex(8)


def log(message):
    print(f">> {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*argv, user=None, check=True, **kwargs):
    command = (["runuser", "-u", user, "--"] if user else []) + list(argv)
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError(f"{command} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def job_gone(job_id):
    out = run("squeue", "--noheader", "--format=%T", f"--jobs={job_id}", check=False).stdout.strip()
    return out in ("", "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT")


def wait_for(predicate, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


def stats(values):
    ordered = sorted(values)
    # p95 by nearest rank: with 30 samples that is the 29th smallest.
    rank = max(1, -(-95 * len(ordered) // 100))
    return {"median": statistics.median(ordered), "p95": ordered[rank - 1], "mean": statistics.fmean(ordered),
            "min": ordered[0], "max": ordered[-1], "n": len(ordered)}


class Hub:
    """One slurmhub process with a Slurm spawner on the test cluster."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = directory / "data"
        self.api = None
        self.process = None
        (directory / "password").write_text("bench-password-123\n")
        (directory / "proxy-token").write_text(secrets.token_hex(16) + "\n")
        (directory / "admin-token").write_text(SERVICE_TOKEN + "\n")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {SERVICE_TOKEN}"

    def write_config(self, name, **spawner):
        public, api, proxy_api = free_port(), free_port(), free_port()
        self.api = f"http://127.0.0.1:{api}"
        config = {
            "hub": {"public_bind": f"127.0.0.1:{public}", "api_bind": f"127.0.0.1:{api}",
                    "data_dir": str(self.data_dir),
                    # POST answers 202 at once (the client then watches the state), DELETE waits for the stop.
                    "slow_spawn_timeout": 0.001, "slow_stop_timeout": 60},
            "auth": {"kind": "dev", "dev": {"users": list(USERS), "password_file": str(self.dir / "password")}},
            "spawner": {
                "kind": "slurm", "start_timeout": 120, "http_timeout": 60, "poll_interval": 30,
                "slurm": {
                    "login_nodes": [LOGIN_NODE], "ssh_user": "slurmhub", "ssh_key_file": str(KEY),
                    "known_hosts_file": str(KNOWN_HOSTS),
                    # A cheap job that leaves nothing behind: it is cancelled right after submission anyway.
                    "cmd": ["sleep", "600"], "output": "/dev/null",
                    "partitions": [
                        {"name": "debug", "max_runtime": "12:00:00", "max_cpus": 8, "max_memory": "4G"},
                        {"name": "long", "max_runtime": "2-00:00:00", "max_cpus": 8, "max_memory": "4G"},
                    ],
                    "environments": [{"id": "venv", "description": "The test venv", "path": str(VENV_BIN)}],
                },
            },
            "services": [{"name": "bench-admin", "api_token_file": str(self.dir / "admin-token"), "admin": True}],
            "proxy": {"api_bind": f"127.0.0.1:{proxy_api}", "auth_token_file": str(self.dir / "proxy-token")},
            "log": {"level": "info"},
        }
        config["spawner"].update(spawner)
        path = self.dir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(config))
        return path

    def start(self, config_path, log_name):
        self.log_path = self.dir / f"{log_name}.log"
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([BIN, "serve", "--config", str(config_path)], stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        (WORK / "hub.pid").write_text(f"{self.process.pid}\n")

        def up():
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.process.returncode}); see {self.log_path}:\n"
                                   + self.log_path.read_text()[-3000:])
            try:
                return requests.get(self.api + "/hub/api", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        wait_for(up, 60, "the hub to answer", interval=0.1)
        # restore() runs first in the background (its first squeue opens the SSH session); wait for it.
        wait_for(lambda: self.metric("jupyterhub_hub_startup_duration_seconds_count") >= 1, 120,
                 "the hub's restore to finish", interval=0.1)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log.close()
            (WORK / "hub.pid").unlink(missing_ok=True)
        self.process = None

    def metrics(self):
        text = self.session.get(self.api + "/hub/metrics", timeout=10).text
        samples = []
        for line in text.splitlines():
            match = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)', line)
            if match and not line.startswith("#"):
                labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
                samples.append((match.group(1), labels, float(match.group(3))))
        return samples

    def metric(self, name, samples=None, **labels):
        """Sum of the samples named `name` whose labels include `labels` (0 when absent)."""
        samples = self.metrics() if samples is None else samples
        return sum(value for sample, found, value in samples
                   if sample == name and all(found.get(k) == v for k, v in labels.items()))

    def user(self, name):
        return self.session.get(f"{self.api}/hub/api/users/{name}", timeout=10).json()


# --------------------------------------------------------------------------------------------------
# Part 1: submission overhead
# --------------------------------------------------------------------------------------------------

def hub_spawn(hub: Hub):
    """One spawn through the hub: per-spawn histogram deltas and the client-visible time."""
    before = hub.metrics()
    posted = {}

    def post():
        # In a thread: the POST itself answers only after the API's first 50 ms check, while the
        # client-visible figure is when the job id shows up in the server's state.
        try:
            posted["response"] = requests.post(f"{hub.api}/hub/api/users/alice/server", json=SPAWN_BODY,
                                               headers=hub.session.headers, timeout=60)
        except requests.RequestException as error:
            posted["error"] = error

    watcher = requests.Session()
    watcher.headers.update(hub.session.headers)
    thread = threading.Thread(target=post)
    started = time.monotonic()
    thread.start()

    def submitted():
        finished = dict(posted)  # taken before the GET: a spawn that ended then has no row any more
        server = watcher.get(f"{hub.api}/hub/api/users/alice", timeout=10).json()["servers"].get("")
        if server is not None and server.get("state", {}).get("job_id"):
            return server["state"]["job_id"]
        if "error" in finished:
            raise RuntimeError(f"POST server: {finished['error']}")
        if "response" in finished:
            response = finished["response"]
            if response.status_code not in (201, 202):
                raise RuntimeError(f"POST server: {response.status_code} {response.text}")
            if server is None:
                raise RuntimeError("the spawn ended before a job id was recorded; see " + str(hub.log_path))
        return None
    job_id = wait_for(submitted, 60, "the job id in the server's state", interval=0.002)
    client = time.monotonic() - started
    thread.join()
    after = hub.metrics()

    def delta(name, **labels):
        return hub.metric(name, after, **labels) - hub.metric(name, before, **labels)
    if delta("slurmhub_slurm_submit_duration_seconds_count") != 1 or \
            delta("slurmhub_slurm_command_duration_seconds_count", command="sbatch") != 1:
        raise RuntimeError("expected exactly one submission and one sbatch in the histograms")
    submit = delta("slurmhub_slurm_submit_duration_seconds_sum")
    sbatch = delta("slurmhub_slurm_command_duration_seconds_sum", command="sbatch")

    response = hub.session.delete(f"{hub.api}/hub/api/users/alice/server", timeout=90)
    if response.status_code not in (202, 204):
        raise RuntimeError(f"DELETE server: {response.status_code} {response.text}")
    wait_for(lambda: not hub.user("alice")["servers"], 60, "alice's server to be gone")
    wait_for(lambda: job_gone(job_id), 30, f"job {job_id} to leave the queue")
    return submit, sbatch, client


def timed_submit(argv):
    """Runs a submitting command with the peer job script on stdin; returns (seconds, job id)."""
    started = time.monotonic()
    result = subprocess.run(argv, input=PEER_SCRIPT, capture_output=True, text=True, timeout=60, cwd="/tmp")
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"{argv} failed: {result.stderr.strip()}")
    job_id = result.stdout.strip().splitlines()[-1].split(";")[0]
    run("scancel", job_id, check=False)
    wait_for(lambda: job_gone(job_id), 30, f"job {job_id} to leave the queue")
    return elapsed


def peer_ssh_submit():
    return timed_submit(SSH + ["sudo", "-n", "-u", "alice", "/usr/bin/sbatch", "--parsable"])


def local_submit():
    return timed_submit(["sudo", "-n", "-u", "alice", "/usr/bin/sbatch", "--parsable"])


def part1(hub: Hub):
    hub.start(hub.write_config("spawn"), "hub-spawn")
    sessions_at_start = hub.metric("slurmhub_ssh_sessions_established_total")
    log(f"hub up at {hub.api}; SSH sessions after restore: {sessions_at_start:.0f}")
    for user in USERS:
        if hub.session.get(f"{hub.api}/hub/api/users/{user}", timeout=10).status_code == 404:
            hub.session.post(f"{hub.api}/hub/api/users/{user}", timeout=10).raise_for_status()
    log("warm-up (not counted): one spawn, one ssh submission, one local submission")
    hub_spawn(hub)
    peer_ssh_submit()
    local_submit()
    submit, sbatch, client, peer, local = [], [], [], [], []
    measurements = [("hub", lambda: hub_spawn(hub)), ("ssh", peer_ssh_submit), ("local", local_submit)]
    for i in range(N):
        # Rotate the order every round so that no contender always runs right after another.
        for kind, measure in measurements[i % 3:] + measurements[:i % 3]:
            value = measure()
            if kind == "hub":
                submit.append(value[0])
                sbatch.append(value[1])
                client.append(value[2])
            elif kind == "ssh":
                peer.append(value)
            else:
                local.append(value)
        log(f"round {i + 1}/{N}: slurmhub submit {submit[-1] * 1000:.1f} ms (sbatch {sbatch[-1] * 1000:.1f} ms, "
            f"client {client[-1] * 1000:.1f} ms); fresh ssh {peer[-1] * 1000:.1f} ms; local {local[-1] * 1000:.1f} ms")
    sessions = hub.metric("slurmhub_ssh_sessions_established_total")
    hub.stop()
    return {"submit": submit, "sbatch": sbatch, "client": client, "peer": peer, "local": local,
            "sessions": sessions, "sessions_at_start": sessions_at_start}


# --------------------------------------------------------------------------------------------------
# Part 2: 100 tracked jobs
# --------------------------------------------------------------------------------------------------

def submit_tracked_jobs():
    jobs = []
    for i in range(JOBS):
        user = USERS[i % 2]
        tag = "slurmhub-" + secrets.token_hex(8)
        out = run("sbatch", "--parsable", "--chdir=/tmp", "--output=/dev/null", "--job-name=slurmhub",
                  f"--comment={tag}", "--partition=debug", "--cpus-per-task=1", "--mem=10M", "--time=00:30:00",
                  "--wrap=sleep 600", user=user, cwd="/tmp").stdout.strip()
        jobs.append({"user": user, "tag": tag, "job_id": out.split(";")[0], "server": f"b{i // 2 + 1:03d}"})
    return jobs


def write_server_rows(data_dir: Path, jobs):
    """Rows as the hub writes them for running Slurm servers (schema: Sources/HubStore/Migrations.swift)."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    db = sqlite3.connect(str(data_dir / "slurmhub.sqlite"))
    with db:
        for user in USERS:
            db.execute("INSERT OR IGNORE INTO users (name, admin, created, cookieID, lastUserOptions) "
                       "VALUES (?, 0, ?, ?, '{}')", (user, now, secrets.token_hex(16)))
        for job in jobs:
            state = {"job_id": job["job_id"], "user": job["user"], "tag": job["tag"], "partition": "debug", "node": "vm"}
            db.execute("INSERT INTO servers (userName, name, url, started, lastActivity, userOptions, state, tokenID) "
                       "VALUES (?, ?, 'http://vm:1', ?, ?, '{}', ?, NULL)",
                       (job["user"], job["server"], now, now, json.dumps(state)))
    count = db.execute("SELECT COUNT(*) FROM servers").fetchone()[0]
    db.close()
    return count


def wait_round_boundary(hub: Hub, previous_polls):
    """Metrics sampled just after a poll round has been recorded in full (count a multiple of JOBS)."""
    def sampled():
        samples = hub.metrics()
        polls = hub.metric("jupyterhub_server_poll_duration_seconds_count", samples)
        return samples if polls > previous_polls and polls % JOBS == 0 else None
    return wait_for(sampled, POLL_INTERVAL * 5 + 10, "a poll round", interval=0.05)


def part2(hub: Hub):
    jobs = submit_tracked_jobs()
    log(f"submitted {len(jobs)} tracked jobs ({jobs[0]['job_id']}..{jobs[-1]['job_id']}), alice and bob alternately")
    rows = write_server_rows(hub.data_dir, jobs)
    log(f"{rows} server rows in {hub.data_dir / 'slurmhub.sqlite'}")
    # http_timeout 1: restore waits for each running server to answer; these never will.
    hub.start(hub.write_config("poll", poll_interval=POLL_INTERVAL, http_timeout=1), "hub-poll")
    start = hub.metrics()
    running = hub.metric("jupyterhub_running_servers", start)
    queued = sum(1 for line in run("squeue", "--noheader", "--name=slurmhub", "--format=%i").stdout.splitlines() if line.strip())
    log(f"hub restored: {running:.0f} running servers, {queued} slurmhub jobs still queued "
        f"({hub.metric('slurmhub_slurm_commands_total', start, command='squeue'):.0f} squeue during restore)")
    if running != JOBS or queued != JOBS:
        raise RuntimeError(f"expected {JOBS} restored servers and jobs, got {running:.0f} and {queued}")
    first = wait_round_boundary(hub, hub.metric("jupyterhub_server_poll_duration_seconds_count", start))
    time.sleep(POLL_INTERVAL * (POLL_ROUNDS - 1))
    last = wait_round_boundary(hub, hub.metric("jupyterhub_server_poll_duration_seconds_count", first))
    while (hub.metric("jupyterhub_server_poll_duration_seconds_count", last)
           - hub.metric("jupyterhub_server_poll_duration_seconds_count", first)) / JOBS < POLL_ROUNDS:
        last = wait_round_boundary(hub, hub.metric("jupyterhub_server_poll_duration_seconds_count", last))

    def delta(name, **labels):
        return hub.metric(name, last, **labels) - hub.metric(name, first, **labels)
    rounds = delta("jupyterhub_server_poll_duration_seconds_count") / JOBS
    result = {
        "rounds": rounds,
        "squeue": delta("slurmhub_slurm_commands_total", command="squeue"),
        "commands": delta("slurmhub_slurm_commands_total"),
        "sessions": delta("slurmhub_ssh_sessions_established_total"),
        "sessions_total": hub.metric("slurmhub_ssh_sessions_established_total", last),
        "squeue_seconds": delta("slurmhub_slurm_command_duration_seconds_sum", command="squeue"),
        "restore_squeue": hub.metric("slurmhub_slurm_commands_total", start, command="squeue"),
        "restore_seconds": hub.metric("jupyterhub_init_spawners_duration_seconds_sum", start),
        "still_running": hub.metric("jupyterhub_running_servers", last),
    }
    log(f"{rounds:.0f} poll rounds: {result['squeue']:.0f} squeue, {result['sessions']:.0f} new SSH sessions")
    hub.stop()

    # What a batchspawner-style poll round costs the login node: one fresh ssh + squeue per server.
    log(f"emulating one batchspawner poll round: {JOBS} x fresh ssh + squeue -h -j <id> -o '%T %B'")
    per_call = []
    round_started = time.monotonic()
    for job in jobs:
        started = time.monotonic()
        # One remote command line, quoted as batchspawner's batch_query_cmd writes it.
        out = subprocess.run(SSH + [f"/usr/bin/squeue -h -j {job['job_id']} -o '%T %B'"],
                             capture_output=True, text=True, timeout=60)
        per_call.append(time.monotonic() - started)
        if out.returncode != 0 or not out.stdout.strip():
            raise RuntimeError(f"ssh squeue for job {job['job_id']}: {out.returncode} {out.stderr.strip()}")
    result["peer_round_seconds"] = time.monotonic() - round_started
    result["peer_call"] = stats(per_call)
    return result


# --------------------------------------------------------------------------------------------------

def ms(value):
    return f"{value * 1000:.1f}"


def report(p1, p2):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    slurm = run("sbatch", "--version").stdout.strip()
    submit, sbatch, client, peer, local = (stats(p1[k]) for k in ("submit", "sbatch", "client", "peer", "local"))
    print()
    print(f"<!-- {when}, {os.cpu_count()} CPUs ({cpu}), {slurm}, login node {LOGIN_NODE} (loopback sshd), "
          f"N={N} interleaved rounds after one warm-up, {JOBS} tracked jobs, poll_interval {POLL_INTERVAL:g} s -->")
    print(f"| submission (N={N}) | median (ms) | p95 (ms) | mean (ms) | min (ms) | max (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = [
        ("slurmhub: spawn reaches spawner → job id (`slurmhub_slurm_submit_duration_seconds`)", submit),
        ("slurmhub: its `sbatch` over the kept-open session (`…command_duration_seconds{command=\"sbatch\"}`)", sbatch),
        ("slurmhub: client POST → job id visible in the REST API", client),
        ("batchspawner-style: fresh `ssh … sudo -n -u alice sbatch --parsable`", peer),
        ("floor: local `sudo -n -u alice sbatch --parsable`, no SSH", local),
    ]
    for name, s in rows:
        print(f"| {name} | {ms(s['median'])} | {ms(s['p95'])} | {ms(s['mean'])} | {ms(s['min'])} | {ms(s['max'])} |")
    print()
    print(f"Overhead ratio, median (fresh ssh / slurmhub submit): **{peer['median'] / submit['median']:.2f}×** (target ≥ 5×); "
          f"p95: {peer['p95'] / submit['p95']:.2f}×; client view (fresh ssh / slurmhub POST → job id): "
          f"{peer['median'] / client['median']:.2f}×")
    print()
    print(f"SSH sessions slurmhub established over the {N + 1} spawns: "
          f"{p1['sessions'] - p1['sessions_at_start']:.0f} (the one opened at start by the restore was reused; "
          f"{p1['sessions']:.0f} in all)")
    print()
    per_round = lambda key: p2[key] / p2["rounds"]
    print(f"| {JOBS} tracked jobs, per poll interval | slurmhub (measured over {p2['rounds']:.0f} rounds) | batchspawner |")
    print("|---|---:|---:|")
    construction = "by construction (batchspawner polls per server; jupyterhub/batchspawner#292)"
    print(f"| scheduler queries (`squeue`) | {per_round('squeue'):.2f} | {JOBS} — {construction} |")
    print(f"| SSH sessions established | {per_round('sessions'):.2f} | {JOBS} with an ssh exec_prefix — {construction} |")
    print(f"| login-node time of those queries | {ms(per_round('squeue_seconds'))} ms (one `squeue -j` of {JOBS} ids) "
          f"| {p2['peer_round_seconds']:.2f} s measured: {JOBS} × fresh ssh + `squeue -h -j <id> -o '%T %B'` in sequence "
          f"(median {ms(p2['peer_call']['median'])} ms each) |")
    print()
    print(f"All Slurm commands in the window: {p2['commands']:.0f} over {p2['rounds']:.0f} rounds; "
          f"SSH sessions in all: {p2['sessions_total']:.0f}; servers still running at the end: {p2['still_running']:.0f}. "
          f"The restore before the window (hub start, {JOBS} rows, `http_timeout` 1 s) ran "
          f"{p2['restore_squeue']:.0f} `squeue` in {p2['restore_seconds']:.1f} s.")


def main():
    hub = Hub(WORK / "hub")
    try:
        log(f"part 1: {N} spawns through slurmhub, {N} fresh-ssh and {N} local submissions, interleaved")
        p1 = part1(hub)
        log(f"part 2: {JOBS} tracked jobs, poll_interval {POLL_INTERVAL:g} s")
        p2 = part2(hub)
    finally:
        hub.stop()
    report(p1, p2)


if __name__ == "__main__":
    main()

"""The Slurm spawner on a real single-node cluster (scripts/slurm-test-cluster.sh): every server is a
job submitted as its user over SSH + sudo on the loopback login node."""
import os
import signal
import subprocess
import time

import pytest
import requests

import slurm_support as slurm
from conftest import wait_for
from kernel_client import create_kernel, execute
from test_rest import progress_events


@pytest.fixture(autouse=True)
def cluster():
    slurm.require_cluster()
    slurm.cancel_all_test_jobs()
    yield
    slurm.cancel_all_test_jobs()


@pytest.fixture
def slurm_hub(hub_factory):
    def make(name="hub", start=True, **overrides):
        return hub_factory(name, extra={"spawner": slurm.slurm_config(**overrides)}, start=start)
    return make


def test_lab_runs_as_a_job_owned_by_the_user(slurm_hub):
    hub = slurm_hub()
    session = hub.login("alice")
    response = slurm.spawn(hub, body={"partition": "debug", "cpus": 1, "memory": "1G", "runtime": "00:30:00",
                                      "environment": "venv"})
    assert response.status_code in (201, 202), response.text
    hub.wait_ready("alice", timeout=120)
    job_id = slurm.server_job_id(hub, "alice")
    [job] = [j for j in slurm.jobs() if j["id"] == job_id]
    assert job["user"] == "alice" and job["state"] == "RUNNING" and job["name"] == "slurmhub"
    assert job["comment"].startswith("slurmhub-")
    pid = slurm.server_pid("alice")
    assert pid, "no jupyterhub-singleuser process of alice"
    assert slurm.run("ps", "-o", "user=", "-p", str(pid)).stdout.strip() == "alice"
    assert slurm.process_environment(pid).get("SLURM_JOB_ID") == job_id

    base = hub.public + "/user/alice/"
    lab = session.get(base + "lab")
    assert lab.status_code == 200 and "JupyterLab" in lab.text
    kernel = create_kernel(session, base)
    ws = base.replace("http://", "ws://")
    assert execute(session, ws, kernel, "5 * 4") == "20"
    assert execute(session, ws, kernel, "import os, pwd; pwd.getpwuid(os.getuid()).pw_name") == "'alice'"

    # Stop through the API: scancel as alice, job gone.
    assert requests.delete(hub.api + "/hub/api/users/alice/server", headers=hub.api_headers(), timeout=60).status_code in (202, 204)
    wait_for(lambda: slurm.job_state(job_id) in ("CANCELLED", "COMPLETED", "GONE"), timeout=30, what="job cancelled")


def test_only_allow_listed_variables_reach_the_job(slurm_hub, monkeypatch):
    # A variable in the hub's own environment, not on the allow-list.
    monkeypatch.setenv("HUB_SECRET_NOT_LISTED", "must-not-leak")
    hub = slurm_hub()
    slurm.spawn(hub, body={"environment": "venv"})
    hub.wait_ready("alice", timeout=120)
    env = slurm.process_environment(slurm.server_pid("alice"))
    assert env.get("SLURMHUB_TEST_ALLOWED") == "allowed-value"
    assert "HUB_SECRET_NOT_LISTED" not in env
    assert env["JUPYTERHUB_USER"] == "alice" and env["JUPYTERHUB_API_TOKEN"]
    unexpected = {k for k in env if not (k.startswith(("JUPYTERHUB_", "SLURM", "JPY_", "LC_")) or k in {
        "HOME", "USER", "LOGNAME", "SHELL", "LANG", "PATH", "PWD", "SHLVL", "_", "SLURMHUB_TEST_ALLOWED",
        "MAIL", "OLDPWD", "ENVIRONMENT", "SLURMD_NODENAME", "TMPDIR", "CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL",
        "ROCR_VISIBLE_DEVICES", "ZE_AFFINITY_MASK", "JPY_SESSION_NAME"})}
    assert not unexpected, f"variables outside the allow-list reached the job: {sorted(unexpected)}"
    # With token delivery in the environment, the token is in what slurmctld stored (the control case below).
    assert env["JUPYTERHUB_API_TOKEN"] in slurm.stored_job_environment(slurm.server_job_id(hub, "alice"))


def test_token_file_keeps_the_token_out_of_environment_and_command_lines(slurm_hub):
    hub = slurm_hub(token_delivery="file")
    slurm.spawn(hub, body={"environment": "venv"})
    hub.wait_ready("alice", timeout=120)
    job_id = slurm.server_job_id(hub, "alice")
    token = slurm.process_environment(slurm.server_pid("alice"))["JUPYTERHUB_API_TOKEN"]
    assert len(token) >= 32
    assert token not in slurm.stored_job_environment(job_id)
    assert token not in slurm.run("scontrol", "show", "job", "-dd", job_id).stdout
    assert not [line for line in slurm.all_command_lines() if token in line]
    # The file was read and removed by the job; the directory is alice's alone.
    tokens_dir = "/home/alice/.slurmhub/tokens"
    assert slurm.run("ls", "-A", tokens_dir).stdout.strip() == ""
    assert slurm.run("stat", "-c", "%U %a", "/home/alice/.slurmhub").stdout.split()[0] == "alice"
    # The server works with it (its token reached the hub: activity and the port report).
    assert requests.get(hub.public + "/user/alice/api", timeout=10).status_code == 200


def test_queued_spawn_shows_pending_reason_and_cancel_removes_the_job(slurm_hub):
    hub = slurm_hub()
    blocker = slurm.submit_as("bob", "--cpus-per-task=8", "--partition=debug")
    wait_for(lambda: slurm.job_state(blocker) == "RUNNING", timeout=30, what="blocker running")
    assert slurm.spawn(hub, body={"environment": "venv", "cpus": 1}).status_code == 202

    seen = []
    with requests.get(hub.api + "/hub/api/users/alice/server/progress", headers=hub.api_headers(),
                      stream=True, timeout=60) as stream:
        for line in stream.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                seen.append(line)
                if "pending in queue (reason: Resources)" in line:
                    break
    assert any("pending in queue (reason: Resources)" in line for line in seen), seen
    job_id = slurm.server_job_id(hub, "alice")
    assert slurm.job_state(job_id) == "PENDING"

    # Cancel from the pending page, as a browser would.
    session = hub.login("alice")
    page = session.get(hub.public + "/hub/spawn-pending/alice")
    assert "Cancel" in page.text and "reason: Resources" in page.text
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    cancelled = session.post(hub.public + "/hub/stop/alice", data={"_xsrf": xsrf}, allow_redirects=False)
    assert cancelled.status_code == 303
    wait_for(lambda: slurm.job_state(job_id) in ("CANCELLED", "GONE"), timeout=30, what="pending job cancelled")
    wait_for(lambda: not hub.api_get("/users/alice").json()["servers"], timeout=30, what="server removed")


def test_broken_environment_fails_fast_with_the_output_tail(slurm_hub):
    hub = slurm_hub()
    started = time.monotonic()
    response = slurm.spawn(hub, body={"environment": "broken"})
    # Failing within the 10 s slow-spawn window, the request itself answers 500 with the reason (as JupyterHub).
    if response.status_code == 500:
        message = response.json()["message"]
    else:
        assert response.status_code == 202, response.text
        events = progress_events(hub, "/users/alice/server/progress")
        assert events[-1].get("failed"), events
        message = events[-1]["message"]
    elapsed = time.monotonic() - started
    assert "ended before" in message and "module" in message and "not found" in message, message
    assert elapsed < 30, f"took {elapsed:.1f}s"
    wait_for(lambda: not hub.api_get("/users/alice").json()["servers"], timeout=30, what="failed server cleaned up")


def test_one_squeue_per_poll_interval_for_five_servers(slurm_hub):
    hub = slurm_hub()
    servers = [("alice", ""), ("alice", "two"), ("alice", "three"), ("bob", ""), ("bob", "two")]
    for user, name in servers:
        assert slurm.spawn(hub, user, name, body={"environment": "venv", "memory": "512M"}).status_code in (201, 202)
    for user, name in servers:
        hub.wait_ready(user, name, timeout=180)
    assert len([j for j in slurm.jobs() if j["state"] == "RUNNING"]) == 5
    time.sleep(1)
    squeue_before = slurm.metric(hub, "slurmhub_slurm_commands_total", command="squeue")
    polls_before = slurm.metric(hub, "jupyterhub_server_poll_duration_seconds_count", status="running")
    time.sleep(11)  # poll_interval is 2 s: about five rounds
    squeue_after = slurm.metric(hub, "slurmhub_slurm_commands_total", command="squeue")
    polls_after = slurm.metric(hub, "jupyterhub_server_poll_duration_seconds_count", status="running")
    rounds = (polls_after - polls_before) / 5
    assert rounds >= 3 and rounds == int(rounds), (polls_before, polls_after)
    assert squeue_after - squeue_before == rounds, (squeue_before, squeue_after, rounds)
    assert slurm.metric(hub, "slurmhub_ssh_sessions_established_total") == 1


def test_restart_resumes_pending_restores_running_and_cancels_strays(slurm_hub):
    hub = slurm_hub()
    for user in ("alice", "bob"):
        assert slurm.spawn(hub, user, body={"environment": "venv", "cpus": 1}).status_code in (201, 202)
    for user in ("alice", "bob"):
        hub.wait_ready(user, timeout=180)
    blocker = slurm.submit_as("bob", "--cpus-per-task=6", "--partition=long")
    wait_for(lambda: slurm.job_state(blocker) == "RUNNING", timeout=30, what="blocker running")
    assert slurm.spawn(hub, "alice", "queued", body={"environment": "venv", "cpus": 1}).status_code == 202
    wait_for(lambda: slurm.server_job_id(hub, "alice", "queued"), timeout=30, what="queued job submitted")
    pending_job = slurm.server_job_id(hub, "alice", "queued")
    wait_for(lambda: slurm.job_state(pending_job) == "PENDING", timeout=10, what="job pending")
    stray = slurm.submit_as("alice", "--job-name=slurmhub", "--comment=slurmhub-00000000deadbeef", "--partition=long")

    hub.kill(signal.SIGKILL)
    hub.start()
    wait_for(lambda: slurm.job_state(stray) in ("CANCELLED", "GONE"), timeout=30, what="stray job cancelled")
    for user in ("alice", "bob"):
        hub.wait_ready(user, timeout=30)
        assert requests.get(hub.public + f"/user/{user}/api", timeout=10).status_code == 200
    model = hub.api_get("/users/alice").json()["servers"]["queued"]
    assert model["pending"] == "spawn", model
    slurm.run("scancel", blocker)
    hub.wait_ready("alice", "queued", timeout=120)
    assert slurm.server_job_id(hub, "alice", "queued") == pending_job, "resumed, not resubmitted"
    assert requests.get(hub.public + "/user/alice/queued/api", timeout=10).status_code == 200
    log = hub.log_path.read_text()
    assert f"cancelled orphaned job {stray}" in log


def test_controller_outage_drops_no_server(slurm_hub):
    hub = slurm_hub()
    slurm.spawn(hub, body={"environment": "venv"})
    hub.wait_ready("alice", timeout=120)
    slurm.slurmctld_stop()
    try:
        # squeue gives up after Slurm's own retries; the poll then reports "unknown", never "gone".
        wait_for(lambda: "unknown" in hub.log_path.read_text(), timeout=120, what="a poll during the outage")
        time.sleep(4)  # two more poll intervals
        assert hub.api_get("/users/alice").json()["servers"][""]["ready"]
        assert requests.get(hub.public + "/user/alice/api", timeout=10).status_code == 200
    finally:
        slurm.slurmctld_start()
    time.sleep(4)
    assert hub.api_get("/users/alice").json()["servers"][""]["ready"]
    assert requests.get(hub.public + "/user/alice/api", timeout=10).status_code == 200


def test_batchspawner_singleuser_reports_the_port(slurm_hub):
    hub = slurm_hub(cmd=["batchspawner-singleuser", "jupyterhub-singleuser"])
    slurm.spawn(hub, body={"environment": "venv"})
    hub.wait_ready("alice", timeout=120)
    assert requests.get(hub.public + "/user/alice/api", timeout=10).status_code == 200


def test_first_login_node_down_spawns_through_the_second(slurm_hub):
    hub = slurm_hub(login_nodes=["127.0.0.1:2299", slurm.LOGIN_NODE], connect_timeout=3)
    slurm.spawn(hub, body={"environment": "venv"})
    hub.wait_ready("alice", timeout=120)
    assert slurm.server_job_id(hub, "alice")


def test_changed_host_key_is_refused_and_nothing_submitted(slurm_hub, tmp_path):
    key = tmp_path / "other_host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:2222 {key.with_suffix('.pub').read_text().split(' ', 2)[0]} "
                     f"{key.with_suffix('.pub').read_text().split(' ', 2)[1]}\n")
    hub = slurm_hub(known_hosts_file=str(known))
    slurm.spawn(hub, body={"environment": "venv"})
    events = progress_events(hub, "/users/alice/server/progress")
    assert events[-1].get("failed"), events
    assert "host key" in events[-1]["message"].lower(), events[-1]
    assert slurm.metric(hub, "slurmhub_slurm_commands_total", command="sbatch", result="ok") == 0
    assert not slurm.jobs(user="alice")


INJECTIONS = ["\n#SBATCH --uid=0", "$(id)", "`id`", "a;id", "x" * 10_000, "-1", "99999999999", "1 2", "a|b", "../../etc"]


@pytest.mark.parametrize("field", ["partition", "cpus", "memory", "gpus", "runtime", "environment",
                                   "reservation", "account", "qos", "default_url"])
def test_injection_in_every_option_is_a_400_and_submits_nothing(slurm_hub, field):
    hub = slurm_hub()
    before = slurm.metric(hub, "slurmhub_slurm_commands_total", command="sbatch")
    # A big number is a valid reservation, account or qos name; everything else is refused everywhere.
    payloads = [p for p in INJECTIONS if not (field in ("reservation", "account", "qos") and p.isdigit())]
    for payload in payloads:
        body = {"environment": "venv", field: payload}
        response = slurm.spawn(hub, body=body)
        assert response.status_code == 400, (field, payload[:40], response.status_code, response.text[:300])
        assert field in response.json()["message"], response.text[:300]
    assert slurm.metric(hub, "slurmhub_slurm_commands_total", command="sbatch") == before == 0
    assert not slurm.jobs(user="alice")
    assert not hub.api_get("/users/alice").json()["servers"]


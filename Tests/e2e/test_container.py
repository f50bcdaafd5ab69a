"""The appliance end to end: the image built from container/Containerfile by scripts/build-image.sh, run
rootless by the operator with the `podman run` flags of the generated container-slurmhub.service (see
container_support for the sandbox's two deviations), spawning JupyterLab as a Slurm job on the test
cluster from inside the container; live reload of the bind-mounted config while a WebSocket stays open;
and a container restart that keeps the data volume, the running server and its route."""
import json
import time

import pytest
import requests

from conftest import ARTIFACTS, dev_login, wait_for
from container_support import IMAGE, Appliance, ensure_journald, journal, podman, wait_gone
from kernel_client import KernelChannel, create_kernel
from notify_support import FakeSystemd
from slurm_support import cancel_all_test_jobs, jobs, metric, require_cluster

SIZE_TARGET_MB = 150


@pytest.fixture(scope="module")
def image():
    if podman("image", "exists", IMAGE, check=False).returncode != 0:
        pytest.fail(f"{IMAGE} is not in the operator's store: scripts/build-image.sh builds it (scripts/test.sh runs it)")
    return json.loads(podman("image", "inspect", IMAGE).stdout)[0]


@pytest.fixture
def appliance():
    require_cluster()
    ensure_journald()
    podman("rm", "--ignore", "--force", "slurmhub", check=False)
    made = Appliance(partitions=[{"name": "debug", "max_runtime": "12:00:00", "max_cpus": 8, "max_memory": "4G"}])
    yield made
    made.stop()
    made.remove()
    cancel_all_test_jobs()


def login(appliance, user="alice"):
    return dev_login(appliance.public, user, appliance.password)


def api(appliance, method, path, **kwargs):
    return requests.request(method, appliance.api + "/hub/api" + path, timeout=30,
                            headers=appliance.api_headers(), **kwargs)


def alice_server(appliance):
    return api(appliance, "GET", "/users/alice").json()["servers"].get("", {})


def test_image_is_small_non_root_and_checks_its_health(image):
    # The layers' sizes (podman 4.3's inspect "Size" also counts layers that other local images share).
    size_mb = sum(layer["size"] for layer in json.loads(podman("history", "--format", "json", IMAGE).stdout)) / 1e6
    print(f"\nimage {IMAGE}: {size_mb:.1f} MB (target < {SIZE_TARGET_MB} MB)")
    assert size_mb < SIZE_TARGET_MB
    config = image["Config"]
    assert config["User"] not in ("", "0", "root", "0:0")
    assert config["Entrypoint"] == ["/usr/local/bin/slurmhub"]
    assert image["Healthcheck"]["Test"][1:3] == ["/usr/local/bin/slurmhub", "health"]
    # Only what the binary needs: no curl, no ssh client.
    for tool in ("curl", "ssh", "wget"):
        found = podman("run", "--rm", "--network=host", "--entrypoint", "/bin/sh", IMAGE, "-c",
                       f"command -v {tool}", check=False)
        assert found.returncode != 0, f"{tool} is in the image: {found.stdout}"


def test_appliance_spawns_reloads_live_and_survives_a_restart(image, appliance):
    manager = FakeSystemd(appliance.root / "notify.sock", mode=0o777)
    try:
        appliance.start(notify_socket=manager.path)
        # READY=1 comes from the hub inside the container, through conmon, once everything answers.
        wait_for(lambda: manager.times("READY", "1"), timeout=90, what="READY=1 from the container")
        assert requests.get(appliance.public + "/hub/health", timeout=5).status_code == 200
        assert podman("healthcheck", "run", "slurmhub", check=False).returncode == 0
        # Read-only root: only the data volume and /tmp are writable.
        assert podman("exec", "slurmhub", "/bin/sh", "-c", "echo x > /usr/local/bin/x", check=False).returncode != 0
        assert podman("exec", "slurmhub", "/bin/sh", "-c", f"test -w {appliance.data} && test -w /tmp").returncode == 0

        # alice's server: a Slurm job on the test cluster, submitted from inside the container.
        started = api(appliance, "POST", "/users/alice/server", json={"partition": "debug", "environment": "venv"})
        assert started.status_code in (201, 202), started.text
        wait_for(lambda: alice_server(appliance).get("ready"), timeout=120, what="alice's server ready")
        owned = [job for job in jobs(user="alice") if job["state"] == "RUNNING"]
        assert len(owned) == 1, owned
        session = login(appliance)
        base = appliance.public + "/user/alice/"
        assert session.get(base + "lab", timeout=30).status_code == 200
        channel = KernelChannel(session, base.replace("http://", "ws://"), create_kernel(session, base))
        try:
            assert channel.run("n = 5 * 4; n") == "20"
            assert channel.run("import os, pwd; pwd.getpwuid(os.getuid()).pw_name") == "'alice'"

            # Live reload of the bind-mounted config: a new partition appears; the WebSocket stays open.
            appliance.config["spawner"]["slurm"]["partitions"].append(
                {"name": "long", "description": "Long jobs", "max_runtime": "2-00:00:00", "max_cpus": 8,
                 "max_memory": "4G"})
            appliance.write_config()
            bob = login(appliance, "bob")
            wait_for(lambda: 'value="long"' in bob.get(appliance.public + "/hub/spawn", timeout=30).text,
                     timeout=20, what="the new partition in the spawn form")
            assert channel.run("n + 1") == "21"

            # An invalid edit is refused and logged; the old configuration stays.
            good = appliance.config_path.read_text()
            appliance.config_path.write_text(good.replace("config_watch_interval: 1", "config_watch_interval: -3"))
            container = appliance.container_id()
            wait_for(lambda: "configuration reload refused" in journal(container), timeout=20,
                     what="the refusal in the journal")
            assert "hub.config_watch_interval must be 0 (off) or a number of seconds" in journal(container)
            assert 'value="long"' in bob.get(appliance.public + "/hub/spawn", timeout=30).text
            appliance.config_path.write_text(good)

            # systemctl reload = the unit's ExecReload (SIGHUP to the container).
            applied = metric(appliance, "slurmhub_config_reloads_total", result="applied")
            appliance.reload()
            wait_for(lambda: metric(appliance, "slurmhub_config_reloads_total", result="applied") > applied,
                     timeout=20, what="a reload on SIGHUP")
            assert channel.run("n + 2") == "22"
        finally:
            channel.close()

        # WATCHDOG=1 also comes through conmon: the unit's WATCHDOG_USEC (60 s) means a ping every 30 s.
        ready_at = manager.times("READY", "1")[0]
        wait_for(lambda: manager.times("WATCHDOG", "1"), timeout=max(1, ready_at + 40 - time.monotonic()),
                 what="WATCHDOG=1 from the container")

        # Restart the container (systemctl restart: ExecStop, ExecStopPost, ExecStartPre, ExecStart).
        running_job = [job["id"] for job in jobs(user="alice")]
        appliance.stop()
        wait_gone()
        assert [job["id"] for job in jobs(user="alice")] == running_job  # the job kept running
        ready_before = len(manager.times("READY", "1"))
        appliance.start(notify_socket=manager.path)
        wait_for(lambda: len(manager.times("READY", "1")) > ready_before, timeout=90, what="READY=1 after the restart")
        # The data volume kept the server: routed again, same job, a new kernel connection works.
        assert alice_server(appliance).get("ready") is True
        assert [job["id"] for job in jobs(user="alice")] == running_job
        session = login(appliance)
        assert session.get(base + "lab", timeout=30).status_code == 200
        channel = KernelChannel(session, base.replace("http://", "ws://"), create_kernel(session, base))
        try:
            assert channel.run("7 * 6") == "42"
        finally:
            channel.close()
    finally:
        manager.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "container-journal.log").write_text(journal(since=appliance.created))

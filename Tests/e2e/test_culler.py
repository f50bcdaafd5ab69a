"""The unmodified jupyterhub-idle-culler from PyPI culls an idle server through the hub API."""
import os
import signal
import subprocess
import sys

from conftest import ARTIFACTS, process_alive, wait_for


def test_idle_culler_culls_idle_server(hub, tmp_path):
    hub.start_server("alice")
    hub.start_server("bob")
    model = hub.api_get("/users/alice", token=None).json()
    pid = model["servers"][""]["state"]["pid"]
    assert process_alive(pid)

    log_path = tmp_path / "culler.log"
    env = dict(os.environ, JUPYTERHUB_API_TOKEN=hub.culler_token)
    with open(log_path, "wb") as log:
        culler = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub_idle_culler", f"--url={hub.api}/hub/api",
             "--timeout=5", "--cull-every=2"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_for(lambda: "" not in hub.api_get("/users/alice").json()["servers"], timeout=40,
                 interval=0.5, what="alice's idle server to be culled")
        wait_for(lambda: not process_alive(pid), timeout=20, what="culled server process to exit")
        assert hub.api_get("/users/alice").json()["server"] is None
        wait_for(lambda: "" not in hub.api_get("/users/bob").json()["servers"], timeout=40,
                 interval=0.5, what="bob's idle server to be culled")
        assert culler.poll() is None, "the culler exited early"
    finally:
        os.killpg(culler.pid, signal.SIGTERM)
        try:
            culler.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(culler.pid, signal.SIGKILL)
            culler.wait(timeout=10)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "culler.log").write_bytes(log_path.read_bytes())
    log_text = log_path.read_text()
    assert "Culling server" in log_text or "Culled" in log_text or "culling" in log_text.lower(), log_text
    assert "Traceback" not in log_text, log_text

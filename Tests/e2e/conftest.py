"""End-to-end fixtures: a real slurmhub binary, real jupyterhub-singleuser servers, real clients.

The binary comes from SLURMHUB_BIN (default: .build/debug/slurmhub); the Python venv that holds
jupyterlab/jupyterhub is the one running pytest. Every hub gets its own ports and data directory.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("SLURMHUB_BIN", str(ROOT / ".build" / "debug" / "slurmhub"))
VENV_BIN = Path(sys.executable).parent
ARTIFACTS = Path(os.environ.get("SLURMHUB_TEST_ARTIFACTS", ROOT / "test-artifacts"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout=30.0, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as error:  # keep polling: the thing may not be up yet
            last = error
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def dev_login(public, user, password) -> requests.Session:
    """Signs `user` in through the dev login form at `public` (the proxy's URL); returns the session."""
    session = requests.Session()
    page = session.get(public + "/hub/login", timeout=10)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    response = session.post(public + "/hub/login", data={"_xsrf": xsrf, "username": user, "password": password},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return session


def process_alive(pid):
    """Whether a process exists and is not a zombie (a zombie is as good as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class Hub:
    """One slurmhub process with its config, ports and data directory."""

    def __init__(self, tmp: Path, name: str = "hub", extra: dict | None = None):
        self.dir = tmp / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.public_port, self.api_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.public = f"http://127.0.0.1:{self.public_port}"
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.proxy_api = f"http://127.0.0.1:{self.proxy_api_port}"
        self.data_dir = self.dir / "data"
        (self.dir / "password").write_text("test-password-123\n")
        (self.dir / "proxy-token").write_text("proxy-token-0123456789\n")
        (self.dir / "culler-token").write_text("culler-token-0123456789\n")
        (self.dir / "admin-token").write_text("admin-service-token-0123456789\n")
        self.password = "test-password-123"
        self.proxy_token = "proxy-token-0123456789"
        self.service_token = "admin-service-token-0123456789"
        self.culler_token = "culler-token-0123456789"
        config = {
            "hub": {
                "public_bind": f"127.0.0.1:{self.public_port}",
                "api_bind": f"127.0.0.1:{self.api_port}",
                "data_dir": str(self.data_dir),
                "admin_users": ["admin"],
                "last_activity_interval": 2,
            },
            "auth": {"kind": "dev", "dev": {"users": ["alice", "bob", "carol", "admin"],
                                            "password_file": str(self.dir / "password")}},
            "spawner": {
                "poll_interval": 2,
                "start_timeout": 60,
                "http_timeout": 60,
                "local": {"cmd": [str(VENV_BIN / "jupyterhub-singleuser"), "--allow-root"]},
            },
            "services": [
                {"name": "admin-svc", "api_token_file": str(self.dir / "admin-token"), "admin": True},
                {"name": "idle-culler", "api_token_file": str(self.dir / "culler-token"),
                 "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
            ],
            "proxy": {"api_bind": f"127.0.0.1:{self.proxy_api_port}",
                      "auth_token_file": str(self.dir / "proxy-token")},
        }
        for section, values in (extra or {}).items():
            config.setdefault(section, {}).update(values)
        self.config_path = self.dir / "config.yaml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.process = None
        self.log_path = self.dir / "hub.log"

    def start(self, env=None):
        """Starts the hub; `env` adds to (or overrides) the inherited environment."""
        env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}", **(env or {}))
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([BIN, "serve", "--config", str(self.config_path)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
        wait_for(lambda: requests.get(self.public + "/hub/api", timeout=2).status_code == 200,
                 what="hub to answer through the proxy")
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def api_headers(self, token=None):
        return {"Authorization": f"token {token or self.service_token}"}

    def api_get(self, path, token=None, **kwargs):
        return requests.get(self.api + "/hub/api" + path, headers=self.api_headers(token), timeout=30, **kwargs)

    def login(self, user="alice", password=None) -> requests.Session:
        return dev_login(self.public, user, password or self.password)

    def start_server(self, user="alice", server="", token=None, body=None):
        path = f"/users/{user}/server" if not server else f"/users/{user}/servers/{server}"
        response = requests.post(self.api + "/hub/api" + path, headers=self.api_headers(token),
                                 json=body, timeout=60)
        assert response.status_code in (201, 202), (response.status_code, response.text)
        self.wait_ready(user, server)
        return response

    def wait_ready(self, user="alice", server="", timeout=90):
        def ready():
            model = self.api_get(f"/users/{user}").json()
            return model["servers"].get(server, {}).get("ready")
        wait_for(ready, timeout=timeout, what=f"{user}/{server} ready")

    def stop(self):
        self.kill(signal.SIGTERM)
        if getattr(self, "log", None):
            self.log.close()



@pytest.fixture
def hub_factory(tmp_path):
    hubs = []

    def make(name="hub", extra=None, start=True):
        hub = Hub(tmp_path, name, extra)
        hubs.append(hub)
        return hub.start() if start else hub

    yield make
    for hub in hubs:
        hub.stop()
        # Servers outlive the hub by design; tests clean up theirs through the data dir's state.
        stop_servers_of(hub)
        if hub.log_path.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / f"{hub.dir.parent.name}-{hub.dir.name}.log").write_bytes(hub.log_path.read_bytes())


@pytest.fixture
def hub(hub_factory):
    return hub_factory()


def stop_servers_of(hub: Hub):
    """Kill server processes left by a hub (their state lives in the SQLite file)."""
    import json
    import sqlite3
    db = hub.data_dir / "slurmhub.sqlite"
    if not db.exists():
        return
    try:
        rows = sqlite3.connect(str(db)).execute("SELECT state FROM servers").fetchall()
    except sqlite3.Error:
        return
    for (state,) in rows:
        pid = json.loads(state or "{}").get("pid")
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

"""Servers survive a hard hub restart; servers that died while the hub was down are cleaned up."""
import os
import signal
import sqlite3

import requests

from conftest import process_alive, wait_for


def server_rows(hub):
    with sqlite3.connect(str(hub.data_dir / "slurmhub.sqlite")) as db:
        return sorted(db.execute("SELECT userName, name FROM servers").fetchall())


def pid_of(hub, user, server=""):
    return hub.api_get(f"/users/{user}").json()["servers"][server]["state"]["pid"]


def ready_users(hub):
    return sorted(u["name"] for u in hub.api_get("/users", params={"state": "ready"}).json())


def test_servers_survive_hub_sigkill_and_dead_ones_are_cleaned_up(hub):
    hub.start_server("alice")
    hub.start_server("bob")
    pids = {"alice": pid_of(hub, "alice"), "bob": pid_of(hub, "bob")}
    assert server_rows(hub) == [("alice", ""), ("bob", "")]

    hub.kill()  # SIGKILL: no chance to clean anything up
    assert all(process_alive(pid) for pid in pids.values()), pids
    # Nothing answers on the public port while the hub is down.
    try:
        down = requests.get(hub.public + "/user/alice/api", timeout=2).status_code
    except requests.ConnectionError:
        down = None
    assert down is None

    hub.start()
    hub.wait_ready("alice")
    hub.wait_ready("bob")
    assert ready_users(hub) == ["alice", "bob"]
    for user, pid in pids.items():
        assert pid_of(hub, user) == pid  # the same processes, not new ones
        api = requests.get(f"{hub.public}/user/{user}/api", timeout=10)
        assert api.status_code == 200 and "version" in api.json(), api.text
    assert server_rows(hub) == [("alice", ""), ("bob", "")]
    metrics = requests.get(hub.api + "/hub/metrics", headers=hub.api_headers(), timeout=10).text
    running = [line.split()[-1] for line in metrics.splitlines() if line.startswith("jupyterhub_running_servers ")]
    assert running and float(running[0]) == 2.0, metrics

    # A browser session still reaches the server through the OAuth dance after the restart.
    session = hub.login("alice")
    lab = session.get(hub.public + "/user/alice/lab")
    assert lab.status_code == 200 and lab.url == hub.public + "/user/alice/lab"
    assert any("/hub/api/oauth2/authorize" in r.headers.get("Location", "") for r in lab.history)

    # bob's server dies while the hub is down: the restarted hub forgets it.
    hub.kill()
    os.killpg(pids["bob"], signal.SIGKILL)
    wait_for(lambda: not process_alive(pids["bob"]), timeout=10, what="bob's server to die")
    hub.start()
    hub.wait_ready("alice")
    wait_for(lambda: hub.api_get("/users/bob").json()["servers"] == {}, timeout=30, what="bob's server cleaned up")
    assert hub.api_get("/users/bob").json()["server"] is None
    assert ready_users(hub) == ["alice"]
    assert server_rows(hub) == [("alice", "")]
    # No route for bob any more: the proxy hands /user/bob/ to the hub, which redirects into /hub/.
    routes = requests.get(hub.proxy_api + "/api/routes", headers=hub.api_headers(hub.proxy_token), timeout=10).json()
    assert "/user/bob" not in routes and "/user/alice" in routes, routes
    orphan = requests.get(hub.public + "/user/bob/api", timeout=10, allow_redirects=False)
    assert orphan.status_code == 302 and orphan.headers["Location"] == "/hub/user/bob/api"
    assert requests.get(hub.public + "/user/alice/api", timeout=10).status_code == 200
    # bob can start again; alice keeps the same process.
    hub.start_server("bob")
    assert pid_of(hub, "alice") == pids["alice"]
    assert server_rows(hub) == [("alice", ""), ("bob", "")]

"""A stock JupyterHub (PyPI, unmodified) uses slurmhub's proxy as its configurable-http-proxy.

Both hubs share one public port: the stock hub lives under `/jh/`, slurmhub at `/`. The stock hub's
`check_routes` deletes `jupyterhub: true` routes it does not own; slurmhub's routes carry
`slurmhub: true` instead, so they must survive it.
"""
import html
import os
import re
import signal
import subprocess
import uuid

import requests

from conftest import ARTIFACTS, VENV_BIN, free_port, wait_for

SERVICE_TOKEN = "stock-hub-test-service-token-0123456789"


def write_config(path, hub, hub_port, data):
    config = f"""
c = get_config()  # noqa
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "pw"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(data / "home" / "{username}")!r}
c.Spawner.cmd = [{str(VENV_BIN / "jupyterhub-singleuser")!r}]
c.Spawner.args = ["--allow-root"]
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.JupyterHub.bind_url = {hub.public + "/jh/"!r}
c.JupyterHub.base_url = "/jh/"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = False
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = {hub.proxy_api!r}
c.ConfigurableHTTPProxy.auth_token = {hub.proxy_token!r}
c.JupyterHub.db_url = {"sqlite:///" + str(data / "jupyterhub.sqlite")!r}
c.JupyterHub.cookie_secret_file = {str(data / "jupyterhub_cookie_secret")!r}
c.JupyterHub.services = [{{"name": "e2e", "api_token": {SERVICE_TOKEN!r}}}]
c.JupyterHub.load_roles = [{{"name": "e2e", "services": ["e2e"],
                            "scopes": ["admin:users", "admin:servers", "read:hub", "proxy"]}}]
"""
    path.write_text(config)


def routes_of(hub):
    response = requests.get(hub.proxy_api + "/api/routes", headers={"Authorization": f"token {hub.proxy_token}"},
                            timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def stock_api(port, path, method="GET", **kwargs):
    return requests.request(method, f"http://127.0.0.1:{port}/jh/hub/api{path}",
                            headers={"Authorization": f"token {SERVICE_TOKEN}"}, timeout=30, **kwargs)


def test_stock_jupyterhub_behind_slurmhub_proxy(hub, tmp_path):
    # slurmhub's own server, routed before the stock hub starts checking routes.
    hub.start_server("alice")
    assert routes_of(hub)["/user/alice"]["slurmhub"] is True

    data = tmp_path / "stock"
    (data / "home").mkdir(parents=True)
    hub_port = free_port()
    write_config(data / "jupyterhub_config.py", hub, hub_port, data)
    log_path = data / "jupyterhub.log"
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
    env.pop("JUPYTERHUB_API_TOKEN", None)
    log = open(log_path, "wb")
    stock = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(data / "jupyterhub_config.py")],
                             cwd=data, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    user = "chp" + uuid.uuid4().hex[:8]
    try:
        # JupyterHub registers its hub route with slurmhub's proxy (CHP wire format, trailing slash stripped).
        route = wait_for(lambda: routes_of(hub).get("/jh"), timeout=60, what="the stock hub's route")
        assert route["target"] == f"http://127.0.0.1:{hub_port}" and route["jupyterhub"] is True
        assert route.get("hub") is True
        wait_for(lambda: stock_api(hub_port, "/").status_code == 200, timeout=30, what="stock hub API")

        # Log in through slurmhub's public port with the dummy authenticator's form.
        session = requests.Session()
        page = session.get(hub.public + "/jh/hub/login")
        assert page.status_code == 200, page.text
        xsrf = html.unescape(re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1))
        login = session.post(hub.public + "/jh/hub/login", data={"_xsrf": xsrf, "username": user, "password": "pw"},
                             allow_redirects=False)
        assert login.status_code == 302, (login.status_code, login.text)
        assert any(c.name == "jupyterhub-hub-login" and c.path == "/jh/hub/" for c in session.cookies)

        # Spawn from the browser route; the default (no options form) spawns at once.
        spawn = session.get(hub.public + "/jh/hub/spawn", allow_redirects=False)
        assert spawn.status_code == 302, (spawn.status_code, spawn.text)

        def ready():
            model = stock_api(hub_port, f"/users/{user}").json()
            return model["servers"].get("", {}).get("ready")
        wait_for(ready, timeout=90, interval=0.5, what="the stock hub's server to be ready")

        user_route = wait_for(lambda: routes_of(hub).get(f"/jh/user/{user}"), timeout=30, what="user route")
        assert user_route["user"] == user and user_route["jupyterhub"] is True
        assert user_route["target"].startswith("http://127.0.0.1:")

        # The user reaches their server through slurmhub's proxy: OAuth with the stock hub, then JupyterLab.
        api = requests.get(f"{hub.public}/jh/user/{user}/api", timeout=10)
        assert api.status_code == 200 and "version" in api.json(), api.text
        lab = session.get(f"{hub.public}/jh/user/{user}/lab")
        assert lab.status_code == 200, (lab.status_code, lab.text[:500])
        assert lab.url == f"{hub.public}/jh/user/{user}/lab"
        assert any("/jh/hub/api/oauth2/authorize" in r.headers.get("Location", "") for r in lab.history)
        status = session.get(f"{hub.public}/jh/user/{user}/api/status")
        assert status.status_code == 200, status.text

        # Force the stock hub's check_routes: it deletes a stale `jupyterhub: true` route it does not own,
        # but leaves slurmhub's routes alone.
        stale = requests.post(hub.proxy_api + "/api/routes/jh/stale", json={"target": "http://127.0.0.1:9", "jupyterhub": True},
                              headers={"Authorization": f"token {hub.proxy_token}"}, timeout=10)
        assert stale.status_code == 201
        assert stock_api(hub_port, "/proxy", method="POST").status_code == 200
        wait_for(lambda: "/jh/stale" not in routes_of(hub), timeout=30, what="check_routes to delete the stale route")

        # slurmhub and its server are untouched by the stock hub's route checks.
        assert requests.get(hub.public + "/hub/api", timeout=10).json()["version"].startswith("5.")
        routes = routes_of(hub)
        assert routes["/"].get("slurmhub") is True and "jupyterhub" not in routes["/"]
        assert routes["/user/alice"]["slurmhub"] is True
        alice_api = requests.get(hub.public + "/user/alice/api", timeout=10)
        assert alice_api.status_code == 200 and "version" in alice_api.json()
        assert hub.api_get("/users/alice").json()["servers"][""]["ready"] is True

        # Stopping through the stock hub removes its route again, and only its route.
        stop = stock_api(hub_port, f"/users/{user}/server", method="DELETE")
        assert stop.status_code in (202, 204), stop.text
        wait_for(lambda: f"/jh/user/{user}" not in routes_of(hub), timeout=30, what="user route removed")
        assert "/user/alice" in routes_of(hub) and "/" in routes_of(hub)
    finally:
        stock.send_signal(signal.SIGTERM)  # cleanup_servers=True: the stock hub stops its servers
        try:
            stock.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stock.pid, signal.SIGKILL)
            stock.wait(timeout=10)
        log.close()
        # Anything the stock hub spawned ran with its home under our data dir.
        leftovers = subprocess.run(["pgrep", "-f", "jupyterhub-singleuser"], capture_output=True, text=True).stdout
        for pid in map(int, leftovers.split()):
            try:
                if os.readlink(f"/proc/{pid}/cwd").startswith(str(data)):
                    os.kill(pid, signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "stock-jupyterhub.log").write_bytes(log_path.read_bytes())
    # slurmhub still answers on the shared public port after the stock hub is gone.
    assert requests.get(hub.public + "/hub/api", timeout=10).status_code == 200

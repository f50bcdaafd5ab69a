"""Per-user origins (hub.subdomain_host) with real JupyterLab, a wildcard test certificate and headless Chromium.

DNS for hub.test and its subdomains is a resolver override: socket.getaddrinfo in this process, and Chromium's
--host-resolver-rules. The attack: bob's server serves a page that, opened by alice, reads /hub/token and creates
a token for alice with her cookies (also planting an _xsrf cookie for the whole domain). It works in path mode
(documented in the README: users must trust each other there) and fails with subdomain_host.
"""
import json
import socket
import stat
import sys

import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import VENV_BIN
from kernel_client import KernelChannel, create_kernel
from tls_support import CertificateAuthority

DOMAIN = "hub.test"

EVIL_SERVER = r'''
import os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlparse

hub = os.environ.get("JUPYTERHUB_HOST", "")
domain = urlparse(hub).hostname or ""
page = """<!doctype html><html><head><title>bob</title></head><body><pre id="out"></pre><script>
(async () => {
  const hub = HUB, out = {};
  try {
    const page = await fetch(hub + "/hub/token", {credentials: "include"});
    const text = await page.text();
    const found = text.match(/name="_xsrf" value="([^"]+)"/);
    out.read = page.status + (found ? " with xsrf" : "");
    out.xsrf = found ? found[1] : null;
  } catch (error) { out.read = "blocked: " + error; }
  if (DOMAIN) document.cookie = "_xsrf=planted0123456789planted01234567; domain=" + DOMAIN + "; path=/";
  const xsrf = out.xsrf || "planted0123456789planted01234567";
  try {
    const made = await fetch(hub + "/hub/api/users/alice/tokens?_xsrf=" + xsrf, {method: "POST", credentials: "include",
      headers: {"Content-Type": "text/plain"}, body: JSON.stringify({note: "stolen-by-bob"})});
    out.create = made.status;
  } catch (error) { out.create = "blocked: " + error; }
  document.getElementById("out").textContent = JSON.stringify(out);
})();
</script></body></html>""".replace("HUB", repr(hub)).replace("DOMAIN", repr(domain)).encode()

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args):
        pass

url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
HTTPServer((url.hostname, url.port), Handler).serve_forever()
'''


@pytest.fixture
def resolve_hub_test(monkeypatch):
    """hub.test and *.hub.test resolve to 127.0.0.1 in this process."""
    original = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and (host == DOMAIN or host.endswith("." + DOMAIN)):
            host = "127.0.0.1"
        return original(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def server_command(tmp_path):
    """The local spawner's command: bob runs the attacker's page server, everyone else JupyterLab."""
    (tmp_path / "evil.py").write_text(EVIL_SERVER)
    script = tmp_path / "server.sh"
    script.write_text(f'#!/bin/sh\nif [ "$JUPYTERHUB_USER" = bob ]; then exec {sys.executable} {tmp_path / "evil.py"}; fi\n'
                      f'exec {VENV_BIN / "jupyterhub-singleuser"} --allow-root "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return [str(script)]


def make_hub(hub_factory, tmp_path, monkeypatch, subdomains):
    hub = hub_factory(extra={"spawner": {"local": {"cmd": server_command(tmp_path)}}}, start=False)
    if subdomains:
        ca = CertificateAuthority(tmp_path / "certs")
        cert, key, _ = ca.leaf("wildcard", names=(DOMAIN, f"*.{DOMAIN}"))
        origin = f"https://{DOMAIN}:{hub.public_port}"
        config = yaml.safe_load(hub.config_path.read_text())
        config["hub"].update({"tls": {"cert_file": str(cert), "key_file": str(key)},
                              "public_url": origin + "/", "subdomain_host": origin})
        hub.config_path.write_text(yaml.safe_dump(config))
        hub.public = origin
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.ca_file))
        hub.ca_file = ca.ca_file
    hub.start()
    return hub


def user_origin(hub, user):
    return f"https://{user}.{DOMAIN}:{hub.public_port}"


def test_lab_on_its_own_origin_with_oauth_and_a_kernel_over_wss(hub_factory, tmp_path, monkeypatch, resolve_hub_test):
    hub = make_hub(hub_factory, tmp_path, monkeypatch, subdomains=True)
    session = hub.login("alice")
    assert {c.name for c in session.cookies} >= {"__Host-jupyterhub-hub-login", "__Host-jupyterhub-session-id"}
    assert all(c.domain == DOMAIN and c.path == "/" and c.secure for c in session.cookies)
    hub.start_server("alice")
    model = hub.api_get("/users/alice").json()["servers"][""]
    alice = user_origin(hub, "alice")
    assert model["url"] == model["full_url"] == alice + "/user/alice/"

    # The hub's host sends /user/alice/ to alice's origin; her server sends the browser to the hub's origin
    # for OAuth and gets its code back on its own origin.
    redirect = session.get(hub.public + "/user/alice/lab", allow_redirects=False)
    assert redirect.status_code == 302
    followed = session.get(hub.public + "/hub" + "/user/alice/lab", allow_redirects=False)
    assert followed.headers["Location"].startswith(alice + "/user/alice/lab")
    lab = session.get(alice + "/user/alice/lab")
    assert lab.status_code == 200 and "JupyterLab" in lab.text, lab.url
    hops = [r.headers.get("Location", "") for r in lab.history]
    assert any(h.startswith(hub.public + "/hub/api/oauth2/authorize") for h in hops), hops
    assert any(h.startswith(alice + "/user/alice/oauth_callback") for h in hops), hops
    server_cookies = [c for c in session.cookies if c.domain.startswith("alice.")]
    assert any(c.name == "__Host-jupyterhub-user-alice" for c in server_cookies), [c.name for c in session.cookies]

    base = alice + "/user/alice/"
    kernel = create_kernel(session, base)
    channel = KernelChannel(session, base.replace("https://", "wss://"), kernel, ca_file=hub.ca_file)
    assert channel.run("5 * 4") == "20"
    channel.close()

    # Hub pages never render on a user's origin; bob's origin does not reach alice's server.
    elsewhere = session.get(user_origin(hub, "bob") + "/hub/home", allow_redirects=False)
    assert elsewhere.status_code == 302 and elsewhere.headers["Location"] == hub.public + "/hub/home"
    crossed = session.get(user_origin(hub, "bob") + "/user/alice/api/status", allow_redirects=False)
    assert crossed.status_code == 302 and crossed.headers["Location"].startswith(hub.public + "/user/alice/")


@pytest.fixture
def chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                     f"--host-resolver-rules=MAP {DOMAIN} 127.0.0.1, MAP *.{DOMAIN} 127.0.0.1",
                     "--ignore-certificate-errors"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def stolen_tokens(hub):
    tokens = hub.api_get("/users/alice/tokens").json()
    tokens = tokens["api_tokens"] if isinstance(tokens, dict) else tokens
    return [t for t in tokens if t.get("note") == "stolen-by-bob"]


@pytest.mark.parametrize("mode", ["path", "subdomain"])
def test_a_page_from_bobs_server_cannot_act_as_alice_with_subdomains(mode, hub_factory, tmp_path, monkeypatch,
                                                                   resolve_hub_test, chromium):
    hub = make_hub(hub_factory, tmp_path, monkeypatch, subdomains=mode == "subdomain")
    hub.start_server("bob")
    chromium.get(hub.public + "/hub/login")
    WebDriverWait(chromium, 30).until(lambda d: d.find_elements(By.ID, "username"))
    chromium.find_element(By.ID, "username").send_keys("alice")
    chromium.find_element(By.ID, "password").send_keys(hub.password)
    chromium.find_element(By.ID, "login_submit").click()
    WebDriverWait(chromium, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "body[data-page=home]"))

    bob = (user_origin(hub, "bob") if mode == "subdomain" else hub.public) + "/user/bob/evil.html"
    chromium.get(bob)
    WebDriverWait(chromium, 30).until(lambda d: d.find_element(By.ID, "out").text)
    result = json.loads(chromium.find_element(By.ID, "out").text)
    if mode == "path":
        # Documented: on one shared origin bob's page reads alice's token page and makes her a token.
        assert result["read"] == "200 with xsrf", result
        assert result["create"] == 201, result
        assert len(stolen_tokens(hub)) == 1
    else:
        assert result["read"].startswith("blocked"), result
        # The POST (a simple request: no preflight) reached the hub with alice's cookies and the planted
        # _xsrf, and was refused: nothing was created.
        assert result["create"] != 201, result
        assert stolen_tokens(hub) == []

"""OpenID Connect provider for the login tests: oidc-provider-mock (PyPI) as a subprocess.

The mock registers clients (``--require-registration``: the client secret and the redirect URI are
checked), takes user claims by ``PUT /users/{sub}``, and authorizes a login by a form post of ``sub``
to its authorization URL. It redeems each code once but does not check PKCE verifiers (the Swift
unit tests cover those with a fake token endpoint).
"""
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import yaml

from conftest import ARTIFACTS, free_port, wait_for


class OIDCProvider:
    def __init__(self, directory: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = directory / "oidc-provider.log"
        self.process = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--port", str(self.port), "--require-registration", "true"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: requests.get(self.url + "/.well-known/openid-configuration", timeout=2).ok,
                 what="OIDC provider")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.log.close()

    def set_user(self, sub, **claims):
        response = requests.put(f"{self.url}/users/{quote(sub, safe='')}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def register(self, redirect_uri):
        response = requests.post(self.url + "/oauth2/clients", json={"redirect_uris": [redirect_uri]}, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()["client_id"], response.json()["client_secret"]

    def approve(self, authorize_url, sub):
        """The user `sub` approves at the provider; returns the callback URL it redirects to."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return response.headers["Location"]


@pytest.fixture
def oidc(tmp_path):
    provider = OIDCProvider(tmp_path).start()
    yield provider
    provider.stop()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{tmp_path.name}-oidc-provider.log").write_bytes(provider.log_path.read_bytes())


def oauth_hub(hub_factory, oidc, name="hub", public_url=None, extra=None, **oauth):
    """A hub logging in through `oidc` (OIDC discovery unless `oauth` names the plain OAuth 2 URLs);
    `extra` adds config sections as for `hub_factory`."""
    hub = hub_factory(name, extra=extra, start=False)
    callback = hub.public + "/hub/oauth_callback"
    client_id, secret = oidc.register(callback)
    (hub.dir / "oauth-secret").write_text(secret + "\n")
    config = yaml.safe_load(hub.config_path.read_text())
    config["hub"]["public_url"] = public_url or hub.public
    settings = {"client_id": client_id, "client_secret_file": str(hub.dir / "oauth-secret"), "callback_url": callback,
                "login_service": "Test IdP", "allowed_groups": ["hpc"]}
    if not any(key in oauth for key in ("authorize_url", "token_url", "userdata_url")):
        settings["issuer"] = oidc.url
    settings.update(oauth)
    config["auth"] = {"kind": "oauth", "oauth": settings}
    hub.config_path.write_text(yaml.safe_dump(config))
    return hub.start()


def start_login(hub, next_path=None, session=None):
    """`/hub/oauth_login` in a browser-like session; returns (session, provider authorization URL)."""
    session = session or requests.Session()
    url = hub.public + "/hub/oauth_login" + (f"?next={quote(next_path, safe='')}" if next_path else "")
    response = session.get(url, allow_redirects=False, timeout=30)
    assert response.status_code == 302, (response.status_code, response.text[:500])
    return session, response


def login(hub, oidc, sub, next_path=None):
    """A full login; returns (session, the callback's response)."""
    session, start = start_login(hub, next_path)
    callback = oidc.approve(start.headers["Location"], sub)
    return session, session.get(callback, allow_redirects=False, timeout=30)


def set_cookies(response):
    """The raw Set-Cookie headers of a response."""
    return response.raw.headers.getlist("Set-Cookie")

"""Login through an OpenID Connect / OAuth 2 provider (auth.kind oauth) with oidc-provider-mock."""
import sqlite3
from urllib.parse import parse_qs, urlencode, urlparse

import requests

from oidc_support import login, oauth_hub, oidc, set_cookies, start_login  # noqa: F401 (oidc is a fixture)


def users(hub):
    return {user["name"]: user for user in hub.api_get("/users").json()}


def cookie_header(response, name):
    return next(header for header in set_cookies(response) if header.startswith(name + "="))


def test_login_page_offers_the_provider_and_no_password_form(hub_factory, oidc):
    hub = oauth_hub(hub_factory, oidc)
    page = requests.get(hub.public + "/hub/login?next=/hub/home", timeout=30)
    assert page.status_code == 200
    assert 'id="oauth_login" href="/hub/oauth_login?next=%2Fhub%2Fhome"' in page.text
    assert "Sign in with Test IdP" in page.text
    assert 'name="password"' not in page.text


def test_alice_logs_in_through_the_provider(hub_factory, oidc):
    oidc.set_user("alice", preferred_username="Alice", groups=["hpc"], email="alice@example.org")
    hub = oauth_hub(hub_factory, oidc)
    session, start = start_login(hub, "/hub/home")
    authorize = parse_qs(urlparse(start.headers["Location"]).query)
    assert start.headers["Location"].startswith(oidc.url + "/oauth2/authorize?")
    assert authorize["code_challenge_method"] == ["S256"] and len(authorize["code_challenge"][0]) == 43
    assert authorize["scope"] == ["openid profile email"] and authorize["nonce"] and authorize["state"]
    state_cookie = cookie_header(start, "slurmhub-oauth-state")
    assert "HttpOnly" in state_cookie and "SameSite=Lax" in state_cookie and "Path=/hub/" in state_cookie
    assert "Secure" not in state_cookie  # public_url is http here

    response = session.get(oidc.approve(start.headers["Location"], "alice"), allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/hub/home"
    hub_cookie = cookie_header(response, "jupyterhub-hub-login")
    assert "HttpOnly" in hub_cookie and "SameSite=Lax" in hub_cookie and "Path=/hub/" in hub_cookie
    assert "slurmhub-oauth-state=;" in " ".join(set_cookies(response)), "the pending login is cleared"
    home = session.get(hub.public + "/hub/home", timeout=30)
    assert home.status_code == 200 and "alice" in home.text
    assert users(hub)["alice"]["admin"] is False

    # The upstream tokens are kept, sealed: no token or JSON key is readable in the database.
    rows = sqlite3.connect(str(hub.data_dir / "slurmhub.sqlite")).execute(
        "SELECT sealed FROM auth_states WHERE userName = 'alice'").fetchall()
    assert len(rows) == 1 and b"access" not in rows[0][0] and b"token" not in rows[0][0]


def test_a_user_outside_allowed_groups_gets_403_and_no_user_row(hub_factory, oidc):
    oidc.set_user("mallory", preferred_username="mallory", groups=["guests"])
    hub = oauth_hub(hub_factory, oidc)
    session, response = login(hub, oidc, "mallory")
    assert response.status_code == 403
    assert "User mallory is not allowed to use this hub" in response.text
    assert not any(header.startswith("jupyterhub-hub-login=") for header in set_cookies(response))
    assert "mallory" not in users(hub)


def test_admin_groups_and_invalid_names(hub_factory, oidc):
    oidc.set_user("sam", preferred_username="sam", groups=["staff"])
    oidc.set_user("weird", preferred_username="../root", groups=["hpc"])
    hub = oauth_hub(hub_factory, oidc, admin_groups=["staff"])
    assert login(hub, oidc, "sam")[1].status_code == 302
    assert users(hub)["sam"]["admin"] is True
    refused = login(hub, oidc, "weird")[1]
    assert refused.status_code == 403 and "is not a valid user name" in refused.text


def test_bad_state_and_forged_state_cookie_fail(hub_factory, oidc):
    oidc.set_user("alice", preferred_username="alice", groups=["hpc"])
    hub = oauth_hub(hub_factory, oidc)
    session, start = start_login(hub)
    callback = urlparse(oidc.approve(start.headers["Location"], "alice"))
    query = parse_qs(callback.query)
    bad = callback._replace(query=urlencode({"code": query["code"][0], "state": "forged"})).geturl()
    response = session.get(bad, allow_redirects=False, timeout=30)
    assert response.status_code == 400 and "state" in response.text
    assert not any(header.startswith("jupyterhub-hub-login=") for header in set_cookies(response))

    session, start = start_login(hub)
    forged = "x" + session.cookies.get("slurmhub-oauth-state")
    response = requests.get(oidc.approve(start.headers["Location"], "alice"), allow_redirects=False, timeout=30,
                            headers={"Cookie": f"slurmhub-oauth-state={forged}"})
    assert response.status_code == 400 and "expired" in response.text
    assert "alice" not in users(hub)


def test_a_replayed_callback_fails(hub_factory, oidc):
    oidc.set_user("alice", preferred_username="alice", groups=["hpc"])
    hub = oauth_hub(hub_factory, oidc)
    session, start = start_login(hub)
    state_cookie = session.cookies.get("slurmhub-oauth-state")
    callback = oidc.approve(start.headers["Location"], "alice")
    assert session.get(callback, allow_redirects=False, timeout=30).status_code == 302
    # The callback again with the (since cleared) state cookie, as a browser or an attacker would replay it.
    response = requests.get(callback, allow_redirects=False, timeout=30,
                            headers={"Cookie": f"slurmhub-oauth-state={state_cookie}"})
    assert response.status_code == 400, response.status_code
    assert "already" in response.text
    assert not any(header.startswith("jupyterhub-hub-login=") for header in set_cookies(response))
    # The used code in a new login of its own: the provider redeems a code once.
    session, start = start_login(hub)
    fresh = parse_qs(urlparse(oidc.approve(start.headers["Location"], "alice")).query)["state"][0]
    code = parse_qs(urlparse(callback).query)["code"][0]
    response = session.get(hub.public + "/hub/oauth_callback?" + urlencode({"code": code, "state": fresh}),
                           allow_redirects=False, timeout=30)
    assert response.status_code == 403, response.status_code


def test_next_is_kept_for_local_paths_only(hub_factory, oidc):
    oidc.set_user("alice", preferred_username="alice", groups=["hpc"])
    hub = oauth_hub(hub_factory, oidc)
    for evil in ("https://evil.example", "//evil.example/x", "/\\evil.example"):
        session, response = login(hub, oidc, "alice", next_path=evil)
        assert response.status_code == 302 and response.headers["Location"] == "/hub/home", evil
    session, response = login(hub, oidc, "alice", next_path="/user/alice/lab?x=1")
    assert response.headers["Location"] == "/user/alice/lab?x=1"
    page = requests.get(hub.public + "/hub/login?next=https://evil.example", timeout=30)
    assert 'href="/hub/oauth_login"' in page.text


def test_plain_oauth2_with_the_id_claim_like_the_vsc_account_page(hub_factory, oidc):
    oidc.set_user("12345", id="VSC10001", groups=["hpc"])
    hub = oauth_hub(hub_factory, oidc, authorize_url=oidc.url + "/oauth2/authorize",
                    token_url=oidc.url + "/oauth2/token", userdata_url=oidc.url + "/userinfo", scope=["profile"])
    session, response = login(hub, oidc, "12345")
    assert response.status_code == 302, response.text
    assert "vsc10001" in users(hub)


def test_auto_login_and_logout(hub_factory, oidc):
    oidc.set_user("alice", preferred_username="alice", groups=["hpc"])
    hub = oauth_hub(hub_factory, oidc, auto_login=True)
    response = requests.get(hub.public + "/hub/login?next=%2Fhub%2Fhome", allow_redirects=False, timeout=30)
    assert response.status_code == 302 and response.headers["Location"] == "/hub/oauth_login?next=%2Fhub%2Fhome"
    session, response = login(hub, oidc, "alice")
    logout = session.get(hub.public + "/hub/logout", allow_redirects=False, timeout=30)
    assert any(header.startswith("jupyterhub-hub-login=;") for header in set_cookies(logout))
    assert session.get(hub.public + "/hub/home", allow_redirects=False, timeout=30).status_code == 302


def test_https_public_url_makes_cookies_secure(hub_factory, oidc):
    hub = oauth_hub(hub_factory, oidc, public_url="https://jupyter.example.org")
    session, start = start_login(hub)
    assert "Secure" in cookie_header(start, "slurmhub-oauth-state")

"""The hub's pages without a browser: spawn-form validation (errors next to the field, nothing submitted),
URL-parameter spawns, tokens, the admin page, error pages and security headers."""
import re
import time

import pytest
import requests

from conftest import wait_for
from form_support import form_hub  # noqa: F401 (fixture)

HUB_PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")


def xsrf(session):
    return session.cookies.get("_xsrf", path="/hub/")


FIELDS = ["partition", "cpus", "memory", "gpus", "runtime", "environment", "reservation", "account", "qos", "default_url"]
VALID = {"partition": "debug", "cpus": "2", "memory": "1G", "gpus": "0", "runtime": "01:00", "environment": "venv",
         "reservation": "", "account": "", "qos": "", "default_url": "/lab"}


def submit(hub, session, tab="advanced", **fields):
    data = dict(VALID if tab == "advanced" else {}, **fields)
    return session.post(hub.public + "/hub/spawn", data=dict(data, _xsrf=xsrf(session), form=tab), allow_redirects=False)


def assert_nothing_started(hub):
    model = hub.api_get("/users/alice").json()
    assert model["servers"] == {} and model["pending"] is None, model


def test_form_renders_fast_with_availability_unknown(form_hub):
    session = form_hub.login("alice")
    started = time.monotonic()
    page = session.get(form_hub.public + "/hub/spawn")
    assert time.monotonic() - started < 4, "the form must not wait for a slow controller"
    assert page.status_code == 200
    assert 'id="availability-unknown"' in page.text
    assert 'id="simple-form"' in page.text and 'id="advanced-form"' in page.text
    assert '<option value="long"' in page.text and '<option value="venv"' in page.text
    assert page.headers["Content-Security-Policy"] == HUB_PAGE_CSP
    assert page.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("tab, fields, field", [
    ("advanced", {"cpus": "9"}, "cpus"),                    # over the partition's limit (8)
    ("advanced", {"memory": "5G"}, "memory"),               # over the partition's limit (4G)
    ("advanced", {"runtime": "13:00"}, "runtime"),          # over the partition's limit (12 h)
    ("advanced", {"runtime": "1:2:3:4"}, "runtime"),        # bad format
    ("advanced", {"runtime": "two hours"}, "runtime"),
    ("advanced", {"environment": "no-such-env"}, "environment"),
    ("advanced", {"partition": "nope"}, "partition"),
    ("advanced", {"default_url": "https://evil.example"}, "default_url"),
    ("advanced", {"account": "a b;c"}, "account"),
    ("simple", {"partition": "debug", "cpus": "16"}, "cpus"),
    ("simple", {"partition": "debug", "runtime": "99"}, "runtime"),
    ("simple", {"partition": "debug", "environment": "no-such-env"}, "environment"),
])
def test_invalid_field_shows_error_next_to_it_and_submits_nothing(form_hub, tab, fields, field):
    session = form_hub.login("alice")
    session.get(form_hub.public + "/hub/spawn")
    response = submit(form_hub, session, tab, **fields)
    assert response.status_code == 400, (response.status_code, response.text[:300])
    error = re.search(rf'<p class="field-error" id="{tab}-{field}-error" role="alert">([^<]+)</p>', response.text)
    assert error, f"no error next to {tab}-{field}"
    assert f'id="tab-{tab}" checked' in response.text
    if tab == "advanced" and field not in ("partition", "environment"):
        assert f'value="{fields[field]}"' in response.text, "the user's value is kept"
    assert_nothing_started(form_hub)


@pytest.mark.parametrize("field", FIELDS)
def test_newline_in_any_field_is_refused_next_to_it(form_hub, field):
    session = form_hub.login("alice")
    session.get(form_hub.public + "/hub/spawn")
    response = submit(form_hub, session, **{field: (VALID[field] or "x") + "\nmalicious"})
    assert response.status_code == 400
    assert f'id="advanced-{field}-error"' in response.text, field
    assert_nothing_started(form_hub)


def test_url_parameter_spawn_is_validated_like_the_form(form_hub):
    session = form_hub.login("alice")
    for query, field in [("partition=debug&nprocs=99", "cpus"), ("partition=debug&runtime=1-00:00:00", "runtime"),
                         ("partition=debug&environment=nope", "environment")]:
        response = session.get(form_hub.public + "/hub/spawn?" + query, allow_redirects=False)
        assert response.status_code == 400, query
        assert f'id="advanced-{field}-error"' in response.text, query
    unknown = session.get(form_hub.public + "/hub/spawn?partition=debug&color=red", allow_redirects=False)
    assert unknown.status_code == 400 and 'id="spawn-error"' in unknown.text
    assert_nothing_started(form_hub)
    # Valid options only fill the form, whichever site the link was on (JupyterHub 6's opt- names too).
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {}):
        link = session.get(form_hub.public + "/hub/spawn?opt-partition=debug&nprocs=2&runtime=02:00",
                           headers=headers, allow_redirects=False)
        assert link.status_code == 200 and 'id="spawn-notice"' in link.text and 'value="02:00"' in link.text, headers
    assert_nothing_started(form_hub)
    # No XSRF token: nothing happens.
    forged = session.post(form_hub.public + "/hub/spawn", data=dict(VALID, form="advanced"), allow_redirects=False)
    assert forged.status_code == 403
    assert_nothing_started(form_hub)


def test_local_spawner_starts_directly_and_pages_have_headers(hub):
    session = hub.login("alice")
    home = session.get(hub.public + "/hub/home")
    assert home.headers["Content-Security-Policy"] == HUB_PAGE_CSP and home.headers["X-Frame-Options"] == "DENY"
    assert 'action="/hub/spawn/alice"' in home.text
    foreign = session.get(hub.public + "/hub/spawn", headers={"Sec-Fetch-Site": "cross-site"}, allow_redirects=False)
    assert foreign.status_code == 200 and 'id="confirm-form"' in foreign.text
    assert hub.api_get("/users/alice").json()["pending"] is None
    # A GET never starts, from this site either: the one-button page's POST does.
    confirm = session.get(hub.public + "/hub/spawn", allow_redirects=False)
    assert confirm.status_code == 200 and 'id="confirm-form"' in confirm.text
    assert hub.api_get("/users/alice").json()["pending"] is None
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', confirm.text).group(1)
    response = session.post(hub.public + "/hub/spawn", data={"_xsrf": xsrf}, allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"] == "/hub/spawn-pending/alice"
    pending = session.get(hub.public + "/hub/spawn-pending/alice", allow_redirects=False)
    assert pending.status_code in (200, 302)
    hub.wait_ready("alice")
    again = session.get(hub.public + "/hub/spawn", allow_redirects=False)
    assert again.status_code == 302 and again.headers["Location"] == "/user/alice/"
    # Proxied server traffic keeps the server's own headers, not the hub pages' policy.
    proxied = session.get(hub.public + "/user/alice/lab")
    assert proxied.status_code == 200 and proxied.url == hub.public + "/user/alice/lab"
    assert proxied.headers.get("Content-Security-Policy") != HUB_PAGE_CSP
    assert proxied.headers.get("X-Frame-Options") != "DENY"
    # The API keeps its own policy and may be framed by nobody either.
    api = session.get(hub.public + "/hub/api/user")
    assert api.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "X-Frame-Options" not in api.headers


def test_error_pages_have_the_hub_look(hub):
    session = hub.login("alice")
    for path, status in [("/hub/no-such-page", 404), ("/hub/error/503?url=/user/alice/", 503),
                         ("/hub/admin", 403), ("/hub/user/alice/lab", 424)]:
        response = session.get(hub.public + path, allow_redirects=False)
        assert response.status_code == status, path
        assert f'id="error-title">{status}' in response.text, path
        assert "Logout alice" in response.text and response.headers["X-Frame-Options"] == "DENY"
    restart = session.get(hub.public + "/hub/user/alice/lab")
    assert 'id="restart-form"' in restart.text and 'action="/hub/spawn/alice"' in restart.text


def test_token_page_creates_and_revokes(hub):
    session = hub.login("alice")
    page = session.get(hub.public + "/hub/token")
    assert page.status_code == 200 and 'id="token-form"' in page.text
    created = session.post(hub.public + "/hub/token", data={"_xsrf": xsrf(session), "note": "ci script",
                                                             "expires_in": "3600", "scopes": "read:users!user"})
    match = re.search(r'id="new-token" data-token-id="(a\d+)">([0-9a-f]+)<', created.text)
    assert match, created.text[:500]
    token_id, token = match.groups()
    identity = requests.get(hub.api + "/hub/api/user", headers={"Authorization": f"token {token}"}, timeout=10)
    assert identity.status_code == 200 and identity.json()["name"] == "alice"
    assert "read:users!user=alice" in identity.json()["scopes"] and "servers!user=alice" not in identity.json()["scopes"]
    listed = hub.api_get("/users/alice/tokens").json()["api_tokens"]
    assert any(t["id"] == token_id and t["note"] == "ci script" and t["expires_at"] for t in listed)
    assert token not in session.get(hub.public + "/hub/token").text
    revoked = session.post(hub.public + f"/hub/token/{token_id}/revoke", data={"_xsrf": xsrf(session)},
                           allow_redirects=False)
    assert revoked.status_code == 303
    assert requests.get(hub.api + "/hub/api/user", headers={"Authorization": f"token {token}"}, timeout=10).status_code == 403


def test_admin_stops_bobs_server_and_bob_cannot_open_admin(hub):
    bob = hub.login("bob")
    assert bob.get(hub.public + "/hub/admin", allow_redirects=False).status_code == 403
    hub.start_server("bob")
    admin = hub.login("admin")
    page = admin.get(hub.public + "/hub/admin")
    assert page.status_code == 200
    row = re.search(r'<tr data-user="bob">.*?</tr>', page.text, re.S).group(0)
    assert 'action="/hub/stop/bob"' in row and "running" in row
    search = admin.get(hub.public + "/hub/admin", params={"name_filter": "bo"})
    assert 'data-user="bob"' in search.text and 'data-user="alice"' not in search.text
    paged = admin.get(hub.public + "/hub/admin", params={"limit": 2})
    assert 'id="next-page"' in paged.text
    stop = admin.post(hub.public + "/hub/stop/bob", data={"_xsrf": xsrf(admin), "next": "/hub/admin"},
                      allow_redirects=False)
    assert stop.status_code == 303 and stop.headers["Location"] == "/hub/admin"
    wait_for(lambda: not hub.api_get("/users/bob").json()["servers"], timeout=30, what="bob's server stopped")
    # bob cannot stop or delete anyone through the pages either.
    assert bob.post(hub.public + "/hub/stop/alice", data={"_xsrf": xsrf(bob)}, allow_redirects=False).status_code == 403
    assert bob.post(hub.public + "/hub/admin/users/alice/delete", data={"_xsrf": xsrf(bob)},
                    allow_redirects=False).status_code == 403
    added = admin.post(hub.public + "/hub/admin/users", data={"_xsrf": xsrf(admin), "usernames": "dave\nerin"},
                       allow_redirects=False)
    assert added.status_code == 303
    assert {"dave", "erin"} <= {u["name"] for u in hub.api_get("/users").json()}
    removed = admin.post(hub.public + "/hub/admin/users/erin/delete", data={"_xsrf": xsrf(admin)}, allow_redirects=False)
    assert removed.status_code == 303
    assert "erin" not in {u["name"] for u in hub.api_get("/users").json()}

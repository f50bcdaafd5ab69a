"""Hostile or broken input: oversized and malformed bodies, bad credentials, bad user names,
XSRF, open redirects, forged cookies, and the proxy's route API."""
import base64
import json
import re
from urllib.parse import quote

import requests

BAD_NAMES = ["a/b", "..", "al ice", "ali\u0441e", "ali\x00ce", "a" * 40, "", "-alice", "alice!", "ali:ce"]


def post(hub, path, token=None, **kwargs):
    headers = dict(hub.api_headers(token), **kwargs.pop("headers", {}))
    return requests.post(hub.api + "/hub/api" + path, headers=headers, timeout=30, **kwargs)


def assert_error(response, status, message=None):
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["status"] == status and body["message"]
    if message is not None:
        assert body["message"] == message, body
    return body["message"]


def user_names(hub):
    response = hub.api_get("/users")
    assert response.status_code == 200
    return sorted(u["name"] for u in response.json())


def test_oversized_and_malformed_bodies(hub):
    before = user_names(hub)
    big = json.dumps({"usernames": ["x" * 1024] * 2048})  # ~2 MiB
    assert len(big) > 2 * 1024 * 1024
    response = post(hub, "/users", data=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413, (response.status_code, response.text[:200])
    # The hub still works afterwards.
    assert hub.api_get("/users").status_code == 200

    for raw in ["{", '{"usernames": [}', "[1, 2", "nul\x00l", '{"usernames": "alice"}', "[]", '"str"']:
        response = post(hub, "/users", data=raw, headers={"Content-Type": "application/json"})
        assert_error(response, 400)
    assert_error(post(hub, "/users/alice/tokens", data="{not json"), 400)
    assert_error(post(hub, "/users/alice/server", data="[1]"), 400)
    assert user_names(hub) == before


def test_bad_credentials(hub):
    missing = "Missing or invalid credentials."
    assert_error(requests.get(hub.api + "/hub/api/users", timeout=10), 403, missing)
    for header in ["token nope-not-a-token", "token", "token ", "bearer", "Basic YWxpY2U6cHc=",
                   "token " + "\u00e9" * 10, "token " + "x" * 4096, f"token {hub.service_token}x",
                   f"tokenx {hub.service_token}"]:
        response = requests.get(hub.api + "/hub/api/users", headers={"Authorization": header.encode("utf-8")},
                                timeout=10)
        assert_error(response, 403, missing)
    # `?token=` is not an API credential.
    assert_error(requests.get(hub.api + "/hub/api/users", params={"token": hub.service_token}, timeout=10), 403, missing)
    for scheme in ["bearer", "Bearer", "TOKEN", "token"]:
        response = requests.get(hub.api + "/hub/api/user", headers={"Authorization": f"{scheme} {hub.service_token}"},
                                timeout=10)
        assert response.status_code == 200 and response.json()["kind"] == "service", response.text


def test_invalid_usernames_are_refused(hub):
    before = user_names(hub)
    for name in BAD_NAMES:
        response = post(hub, "/users", json={"usernames": [name]})
        message = assert_error(response, 400)
        assert "username" in message.lower(), message
        # One bad name spoils the whole batch.
        assert_error(post(hub, "/users", json={"usernames": ["goodname", name]}), 400)
        if name:
            # Dots are escaped too, or clients would collapse `..` before sending.
            response = post(hub, "/users/" + quote(name, safe="").replace(".", "%2E"))
            message = assert_error(response, 400)
            assert "username" in message.lower(), message
    assert_error(post(hub, "/users", json={"usernames": [42]}), 400)
    assert user_names(hub) == before

    # Upper case is folded; the folded name then exists.
    created = post(hub, "/users", json={"usernames": ["ALICE2"]})
    assert created.status_code == 201 and [u["name"] for u in created.json()] == ["alice2"]
    assert_error(post(hub, "/users/Alice2"), 409)
    single = post(hub, "/users/CAROL2")
    assert single.status_code == 201 and single.json()["name"] == "carol2"
    assert hub.api_get("/users/ALICE2").json()["name"] == "alice2"
    assert user_names(hub) == sorted(before + ["alice2", "carol2"])


def test_login_xsrf_open_redirect_and_forged_cookie(hub):
    session = requests.Session()
    page = session.get(hub.public + "/hub/login")
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    form = {"username": "alice", "password": hub.password}
    # No _xsrf field, or a wrong one: refused, no login cookie.
    for data in [form, dict(form, _xsrf="wrong" + xsrf)]:
        refused = session.post(hub.public + "/hub/login", data=data, allow_redirects=False)
        assert refused.status_code == 403, refused.status_code
        assert "jupyterhub-hub-login" not in refused.cookies
    # Without the _xsrf cookie the field alone is not enough.
    bare = requests.post(hub.public + "/hub/login", data=dict(form, _xsrf=xsrf), allow_redirects=False)
    assert bare.status_code == 403
    # Wrong password: no login.
    wrong = session.post(hub.public + "/hub/login", data=dict(form, _xsrf=xsrf, password="nope"), allow_redirects=False)
    assert wrong.status_code == 403 and "jupyterhub-hub-login" not in wrong.cookies

    for evil in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "https:evil.example", "\\\\evil.example"]:
        response = session.post(hub.public + "/hub/login", params={"next": evil},
                                data=dict(form, _xsrf=xsrf), allow_redirects=False)
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//") and "evil" not in location, location
    good = session.post(hub.public + "/hub/login", params={"next": "/hub/token"}, data=dict(form, _xsrf=xsrf),
                        allow_redirects=False)
    assert good.headers["Location"] == "/hub/token"
    home = session.get(hub.public + "/hub/home", allow_redirects=False)
    assert home.status_code == 200

    # Tamper with the signed login cookie: the hub treats the browser as logged out.
    cookie = session.cookies.get("jupyterhub-hub-login", path="/hub/")
    flipped = cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1]
    payload, rest = cookie.split(".", 1)
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert decoded.startswith("alice:")
    as_admin = base64.urlsafe_b64encode(decoded.replace("alice", "admin", 1).encode()).decode().rstrip("=")
    future = cookie.rsplit(".", 2)
    forged_values = [flipped, f"{as_admin}.{rest}", f"{future[0]}.{int(future[1]) + 3600}.{future[2]}",
                     "alice:" + "0" * 32, cookie + "x", ""]
    for value in forged_values:
        forged = requests.Session()
        forged.cookies.set("jupyterhub-hub-login", value, path="/hub/")
        response = forged.get(hub.public + "/hub/home", allow_redirects=False)
        assert response.status_code in (302, 403), (value, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/hub/login"), response.headers["Location"]
        api = forged.get(hub.public + "/hub/api/user", allow_redirects=False)
        assert api.status_code == 403


def test_proxy_route_api_rejects_bad_requests(hub):
    api = hub.proxy_api + "/api/routes"
    auth = {"Authorization": f"token {hub.proxy_token}"}
    assert requests.get(api, timeout=10).status_code == 403
    assert requests.get(api, headers={"Authorization": "token wrong"}, timeout=10).status_code == 403
    assert requests.get(api, headers={"Authorization": f"token {hub.proxy_token}x"}, timeout=10).status_code == 403
    assert requests.post(api + "/evil", json={"target": "http://127.0.0.1:9"}, timeout=10).status_code == 403
    assert requests.get(api, headers=auth, timeout=10).status_code == 200

    for body in [{}, {"target": 5}, {"target": None}, ["http://127.0.0.1:9"]]:
        response = requests.post(api + "/bad", json=body, headers=auth, timeout=10)
        assert response.status_code == 400, (body, response.status_code)
    response = requests.post(api + "/bad", data="{nope", headers=auth, timeout=10)
    assert response.status_code == 400
    assert "/bad" not in requests.get(api, headers=auth, timeout=10).json()
    assert requests.delete(api + "/never-there", headers=auth, timeout=10).status_code == 404
    # The hub's own route is intact and still serves.
    assert requests.get(hub.public + "/hub/api", timeout=10).status_code == 200

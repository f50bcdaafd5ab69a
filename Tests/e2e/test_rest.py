"""REST semantics of the hub API as JupyterHub 5.x clients expect them (protocol §3–§5, §7)."""
import json
import time

import requests

from conftest import wait_for

PAGINATION = "application/jupyterhub-pagination+json"


def call(hub, method, path, token=None, **kwargs):
    headers = dict(hub.api_headers(token), **kwargs.pop("headers", {}))
    return requests.request(method, hub.api + "/hub/api" + path, headers=headers, timeout=60, **kwargs)


def assert_json_error(response, status):
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]


def user_token(hub, user="alice", **body):
    response = call(hub, "POST", f"/users/{user}/tokens", json=body or None)
    assert response.status_code == 201, (response.status_code, response.text)
    return response.json()


def progress_events(hub, path, token=None):
    """Reads the SSE stream to its end and returns the decoded `data:` events."""
    events = []
    with requests.get(hub.api + "/hub/api" + path, headers=hub.api_headers(token), stream=True, timeout=120) as response:
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/event-stream")
        for line in response.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                events.append(json.loads(line[len("data:"):].strip()))
                if events[-1].get("ready") or events[-1].get("failed"):
                    break
    return events


def test_root_info_and_identity(hub):
    root = requests.get(hub.api + "/hub/api", timeout=10)
    assert root.status_code == 200
    assert root.headers["X-JupyterHub-Version"].startswith("5.")
    assert root.json()["version"] == root.headers["X-JupyterHub-Version"]

    alice = user_token(hub, note="identity test")
    assert alice["token"] and alice["id"].startswith("a")
    # A plain user token lacks read:hub.
    assert_json_error(call(hub, "GET", "/info", token=alice["token"]), 403)
    info = call(hub, "GET", "/info")
    assert info.status_code == 200 and info.json()["version"].startswith("5.")

    me = call(hub, "GET", "/user", token=alice["token"]).json()
    assert me["kind"] == "user" and me["name"] == "alice" and me["admin"] is False
    assert me["token_id"] == alice["id"]
    assert "read:users:name!user=alice" in me["scopes"] and me["scopes"] == sorted(me["scopes"])

    service = call(hub, "GET", "/user").json()
    assert service["kind"] == "service" and service["name"] == "admin-svc"

    assert requests.get(hub.api + "/hub/health", timeout=10).status_code == 200
    # Unknown API paths are JSON 404s; OPTIONS (CORS preflight) is an empty 200 with the allowed headers.
    assert_json_error(call(hub, "GET", "/no/such/endpoint"), 404)
    for path in ("/users", "/users/alice/server", "/"):
        options = requests.options(hub.api + "/hub/api" + path, timeout=10)
        assert options.status_code == 200 and options.content == b"", (path, options.status_code, options.text)
        assert "authorization" in options.headers["Access-Control-Allow-Headers"]
        assert options.headers["X-JupyterHub-Version"].startswith("5.")


def test_default_server_progress_and_stop(hub):
    started = call(hub, "POST", "/users/alice/server")
    assert started.status_code in (201, 202), started.text
    events = progress_events(hub, "/users/alice/server/progress")
    assert events, "no progress events"
    final = events[-1]
    assert final.get("ready") is True, events
    assert final["url"] == "/user/alice/"
    assert all("progress" not in e or 0 <= e["progress"] <= 100 for e in events)
    model = call(hub, "GET", "/users/alice").json()
    assert model["server"] == "/user/alice/" and model["servers"][""]["ready"] is True
    # Starting again while running is a 400 with a JSON error.
    assert_json_error(call(hub, "POST", "/users/alice/server"), 400)

    stopped = call(hub, "DELETE", "/users/alice/server")
    assert stopped.status_code in (202, 204), stopped.text
    wait_for(lambda: call(hub, "GET", "/users/alice").json()["servers"] == {}, timeout=30, what="server gone")
    model = call(hub, "GET", "/users/alice").json()
    assert model["server"] is None and model["pending"] is None
    # Progress of a stopped server is a 400.
    assert_json_error(call(hub, "GET", "/users/alice/server/progress"), 400)


def test_named_server_start_and_delete(hub):
    hub.start_server("alice", "lab1")
    model = call(hub, "GET", "/users/alice").json()
    assert model["servers"]["lab1"]["url"] == "/user/alice/lab1/"
    assert model["servers"]["lab1"]["progress_url"] == "/hub/api/users/alice/servers/lab1/progress"
    assert "" not in model["servers"]
    deleted = call(hub, "DELETE", "/users/alice/servers/lab1")
    assert deleted.status_code in (202, 204), deleted.text
    wait_for(lambda: "lab1" not in call(hub, "GET", "/users/alice").json()["servers"], timeout=30,
             what="named server gone")
    assert_json_error(call(hub, "DELETE", "/users/alice/servers/nosuch"), 404)


def test_create_users_pagination_and_state_filters(hub):
    names = [f"page{i}" for i in range(7)]
    created = call(hub, "POST", "/users", json={"usernames": names})
    assert created.status_code == 201, created.text
    assert sorted(u["name"] for u in created.json()) == names
    assert_json_error(call(hub, "POST", "/users", json={"usernames": names}), 409)

    plain = call(hub, "GET", "/users")
    assert plain.status_code == 200 and isinstance(plain.json(), list)
    all_names = [u["name"] for u in plain.json()]
    assert set(names) <= set(all_names) and len(all_names) == len(set(all_names))

    collected, url, pages = [], hub.api + "/hub/api/users?limit=3", 0
    while url:
        page = requests.get(url, headers=dict(hub.api_headers(), Accept=PAGINATION), timeout=30)
        assert page.status_code == 200, page.text
        body = page.json()
        assert set(body) == {"items", "_pagination"}
        assert len(body["items"]) <= 3 and body["_pagination"]["total"] == len(all_names)
        collected += [u["name"] for u in body["items"]]
        nxt = body["_pagination"]["next"]
        url = nxt["url"] if nxt else None
        pages += 1
        assert pages < 20
    assert collected == all_names
    assert pages == -(-len(all_names) // 3)

    hub.start_server("bob")
    by_state = {state: [u["name"] for u in call(hub, "GET", "/users", params={"state": state}).json()]
                for state in ("active", "ready", "inactive")}
    assert by_state["active"] == ["bob"] and by_state["ready"] == ["bob"]
    assert "bob" not in by_state["inactive"] and set(names) <= set(by_state["inactive"])
    assert_json_error(call(hub, "GET", "/users", params={"state": "bogus"}), 400)
    assert_json_error(call(hub, "GET", "/users/nosuchuser"), 404)


def test_tokens_lifecycle_and_expiry(hub):
    made = user_token(hub, note="lifecycle", expires_in=3600)
    assert made["note"] == "lifecycle" and made["expires_at"] and made["kind"] == "api_token"
    listed = call(hub, "GET", "/users/alice/tokens").json()["api_tokens"]
    assert any(t["id"] == made["id"] and t["note"] == "lifecycle" for t in listed)
    assert all("token" not in t for t in listed)
    one = call(hub, "GET", f"/users/alice/tokens/{made['id']}")
    assert one.status_code == 200 and one.json()["id"] == made["id"]
    assert call(hub, "GET", "/user", token=made["token"]).status_code == 200
    assert call(hub, "DELETE", f"/users/alice/tokens/{made['id']}").status_code == 204
    assert_json_error(call(hub, "GET", f"/users/alice/tokens/{made['id']}"), 404)
    assert_json_error(call(hub, "GET", "/user", token=made["token"]), 403)

    short = user_token(hub, note="short", expires_in=1)
    assert call(hub, "GET", "/user", token=short["token"]).status_code == 200
    time.sleep(2)
    expired = call(hub, "GET", "/user", token=short["token"])
    assert_json_error(expired, 403)
    assert expired.json()["message"] == "Missing or invalid credentials."


def test_metrics_need_read_metrics(hub):
    hub.start_server("alice")
    assert requests.get(hub.api + "/hub/metrics", timeout=10).status_code == 403
    alice = user_token(hub)
    assert requests.get(hub.api + "/hub/metrics", headers=hub.api_headers(alice["token"]), timeout=10).status_code == 403
    metrics = requests.get(hub.api + "/hub/metrics", headers=hub.api_headers(), timeout=10)
    assert metrics.status_code == 200
    text = metrics.text
    assert "jupyterhub_running_servers" in text
    assert "jupyterhub_server_spawn_duration_seconds" in text
    running = [line for line in text.splitlines() if line.startswith("jupyterhub_running_servers")]
    assert running and float(running[0].split()[-1]) == 1.0, running

"""The public edge against hostile clients: floods of idle and half-sent connections, forwarded-header trust."""
import asyncio
import socket
import sys
from pathlib import Path

import requests
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import flood  # noqa: E402


def user_token(hub, user, scopes):
    response = requests.post(hub.api + f"/hub/api/users/{user}/tokens", headers=hub.api_headers(),
                             json={"scopes": scopes, "note": "flood probe"}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["token"]


def test_a_flood_of_held_connections_leaves_both_listeners_answering(hub_factory):
    hub = hub_factory(extra={"hub": {"http": {"header_timeout": 3, "idle_timeout": 5}}})
    hub.start_server("alice")
    token = user_token(hub, "alice", ["access:servers!user=alice"])
    lab_url = hub.public + "/user/alice/api/status"
    assert requests.get(lab_url, headers={"Authorization": f"token {token}"}, timeout=30).status_code == 200
    lab = lambda: flood.timed_get(lab_url, {"Authorization": f"token {token}"})  # noqa: E731
    rows, results, closed_ok = asyncio.run(flood.flood(hub.public, hub.api, idle=2000, half=500,
                                                       header_timeout=3, wait=12, lab=lab))
    assert flood.report(rows, results, probe_limit=1.0, header_timeout=3)
    assert closed_ok, rows
    for _listener, _kind, asked, opened, closed, _at_once, _longest in rows:
        assert opened == asked and closed == opened


def raw_exchange(port, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_smuggling_through_connection_is_refused_and_forwarded_host_is_ignored(hub):
    hub.start_server("alice")
    smuggled = b"GET /hub/api/users HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n"
    answer = raw_exchange(hub.public_port, b"POST /hub/api/users HTTP/1.1\r\nHost: x\r\nConnection: content-length\r\n"
                          + f"Content-Length: {len(smuggled)}\r\n\r\n".encode() + smuggled)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 1, "the body was not taken for a second request"

    headers = dict(hub.api_headers(), **{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
                                          "Accept": "application/jupyterhub-pagination+json"})
    for base in (hub.public, hub.api):
        page = requests.get(base + "/hub/api/users?limit=1", headers=headers, timeout=30).json()
        assert "evil.example" not in page["_pagination"]["next"]["url"]
    for path in ("/hub//user/alice/lab", "//user/alice/lab", "/hub/user-redirect//evil.example/"):
        session = hub.login("alice")
        response = session.get(hub.public + path, allow_redirects=False,
                               headers={"X-Forwarded-Host": "evil.example"})
        location = response.headers.get("Location")
        assert response.status_code in (302, 303, 307, 404), (path, response.status_code)
        assert location is None or location.startswith("/") and urlsplit(location).netloc == "", (path, location)

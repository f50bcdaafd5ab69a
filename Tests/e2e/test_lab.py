"""The whole chain with real JupyterLab: login, OAuth through the hub, kernel over the proxy's WebSocket."""
from conftest import wait_for
from kernel_client import create_kernel, execute


def test_login_oauth_lab_and_kernel_through_proxy(hub):
    session = hub.login("alice")
    # Start from the home page's form, as a browser would.
    home = session.get(hub.public + "/hub/home")
    assert home.status_code == 200 and "Servers of alice" in home.text
    response = session.post(hub.public + "/hub/spawn/alice", data={"_xsrf": session.cookies.get("_xsrf", path="/hub/")},
                            allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"] == "/hub/spawn-pending/alice"
    pending = session.get(hub.public + "/hub/spawn-pending/alice")
    assert pending.status_code == 200
    hub.wait_ready("alice")

    lab = session.get(hub.public + "/user/alice/lab")
    assert lab.status_code == 200
    assert lab.url == hub.public + "/user/alice/lab"
    assert "JupyterLab" in lab.text
    # The chain went through the hub's OAuth provider.
    assert any("/hub/api/oauth2/authorize" in r.headers.get("Location", "") for r in lab.history)
    assert any(c.name == "jupyterhub-user-alice" for c in session.cookies)

    base = hub.public + "/user/alice/"
    kernel = create_kernel(session, base)
    assert execute(session, base.replace("http://", "ws://"), kernel, "5 * 4") == "20"

    # Proxied traffic (including the websocket) reaches the hub's last_activity.
    before = hub.api_get("/users/alice").json()["servers"][""]["last_activity"]
    session.get(base + "api/status")
    wait_for(lambda: hub.api_get("/users/alice").json()["servers"][""]["last_activity"] > before,
             timeout=20, what="proxy activity folded into last_activity")


def test_logout_revokes_server_oauth_tokens(hub):
    session = hub.login("bob")
    hub.start_server("bob")
    assert session.get(hub.public + "/user/bob/lab").status_code == 200  # OAuth login to the server
    assert session.get(hub.public + "/user/bob/api/status").status_code == 200
    tokens_before = hub.api_get("/users/bob/tokens").json()["api_tokens"]
    assert any(t["oauth_client"] == "jupyterhub-user-bob" for t in tokens_before)
    session.get(hub.public + "/hub/logout")
    tokens_after = hub.api_get("/users/bob/tokens").json()["api_tokens"]
    assert not any(t["oauth_client"] == "jupyterhub-user-bob" for t in tokens_after)

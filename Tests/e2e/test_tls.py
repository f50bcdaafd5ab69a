"""HTTPS on the proxy with real JupyterLab: a kernel over WSS, certificates replaced and broken while it runs."""
import signal
import time

import requests
from conftest import free_port, wait_for
from kernel_client import KernelChannel, create_kernel, execute
from tls_support import CertificateAuthority, install, presented_serial


def start_tls_hub(hub_factory, tmp_path, monkeypatch, redirect=False):
    ca = CertificateAuthority(tmp_path / "certs")
    cert, key, serial = ca.leaf("first")
    live_cert, live_key = tmp_path / "certs" / "live.pem", tmp_path / "certs" / "live.key"
    install(cert, key, live_cert, live_key)
    tls = {"cert_file": str(live_cert), "key_file": str(live_key)}
    hub_extra = {"tls": tls, "config_watch_interval": 1}
    redirect_port = None
    if redirect:
        redirect_port = free_port()
        tls["redirect_http_bind"] = f"127.0.0.1:{redirect_port}"
    hub = hub_factory(extra={"hub": hub_extra}, start=False)
    if redirect:
        hub_extra["public_url"] = f"https://127.0.0.1:{hub.public_port}"
        import yaml
        config = yaml.safe_load(hub.config_path.read_text())
        config["hub"].update(hub_extra)
        hub.config_path.write_text(yaml.safe_dump(config))
    hub.public = f"https://127.0.0.1:{hub.public_port}"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.ca_file))
    hub.start()
    return hub, ca, serial, (live_cert, live_key), redirect_port


def test_lab_kernel_over_https_and_certificate_replaced_under_an_open_websocket(hub_factory, tmp_path, monkeypatch):
    hub, ca, first_serial, live, _ = start_tls_hub(hub_factory, tmp_path, monkeypatch)
    assert presented_serial(hub.public_port, ca.ca_file) == first_serial

    session = hub.login("alice")
    assert all(c.secure for c in session.cookies if c.name.startswith("jupyterhub-")), "cookies are Secure under TLS"
    home = session.get(hub.public + "/hub/home")
    assert home.headers["Strict-Transport-Security"].startswith("max-age=")
    hub.start_server("alice")
    lab = session.get(hub.public + "/user/alice/lab")
    assert lab.status_code == 200 and "JupyterLab" in lab.text
    base = hub.public + "/user/alice/"
    kernel = create_kernel(session, base)
    ws_base = base.replace("https://", "wss://")
    assert execute(session, ws_base, kernel, "5 * 4", ca_file=ca.ca_file) == "20"

    # A WebSocket opened with the first certificate stays up while the files are replaced (watched: no signal).
    channel = KernelChannel(session, ws_base, kernel, ca_file=ca.ca_file)
    assert channel.run("1 + 1") == "2"
    cert, key, second_serial = ca.leaf("second")
    install(cert, key, *live)
    wait_for(lambda: presented_serial(hub.public_port, ca.ca_file) == second_serial, timeout=20,
             what="the next connection to get the replaced certificate")
    assert channel.run("6 * 7") == "42"
    assert execute(session, ws_base, kernel, "2 ** 10", ca_file=ca.ca_file) == "1024"

    # A broken certificate is refused and logged; the replaced one is still served, also after a SIGHUP.
    live[0].write_text("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
    wait_for(lambda: "TLS certificate reload refused" in hub.log_path.read_text(), timeout=20,
             what="the refused reload in the log")
    hub.process.send_signal(signal.SIGHUP)
    time.sleep(1)
    assert presented_serial(hub.public_port, ca.ca_file) == second_serial
    assert channel.run("3 * 3") == "9"
    channel.close()
    assert session.get(base + "api/status").status_code == 200


def test_plain_http_is_redirected_to_the_configured_https_url(hub_factory, tmp_path, monkeypatch):
    hub, _ca, _serial, _live, redirect_port = start_tls_hub(hub_factory, tmp_path, monkeypatch, redirect=True)
    response = requests.get(f"http://127.0.0.1:{redirect_port}/hub/login?next=%2Fhub%2Fhome",
                            headers={"Host": "evil.example"}, allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://127.0.0.1:{hub.public_port}/hub/login?next=%2Fhub%2Fhome"
    followed = requests.get(f"http://127.0.0.1:{redirect_port}/hub/login", timeout=10)
    assert followed.status_code == 200 and followed.url.startswith("https://")
    # Plain HTTP on the TLS port gets no page.
    try:
        plain = requests.get(f"http://127.0.0.1:{hub.public_port}/hub/login", timeout=10)
        assert plain.status_code == 400 or plain.status_code >= 500 or not plain.text.strip().startswith("<!")
    except requests.exceptions.ConnectionError:
        pass


def test_hub_api_over_https_with_the_ca_handed_to_servers(hub_factory, tmp_path, monkeypatch):
    import yaml
    ca = CertificateAuthority(tmp_path / "api-certs")
    cert, key, _serial = ca.leaf("api")
    hub = hub_factory(start=False)
    config = yaml.safe_load(hub.config_path.read_text())
    config["hub"].update({
        "api_tls": {"cert_file": str(cert), "key_file": str(key), "ca_file": str(ca.ca_file)},
        "api_url_for_servers": f"https://127.0.0.1:{hub.api_port}",
    })
    hub.config_path.write_text(yaml.safe_dump(config))
    hub.api = f"https://127.0.0.1:{hub.api_port}"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.ca_file))
    hub.start()
    # The server verified the hub API with the handed CA (its version check and OAuth go over TLS).
    hub.start_server("alice")
    session = hub.login("alice")
    lab = session.get(hub.public + "/user/alice/lab")
    assert lab.status_code == 200 and "JupyterLab" in lab.text
    base = hub.public + "/user/alice/"
    kernel = create_kernel(session, base)
    assert execute(session, base.replace("http://", "ws://"), kernel, "5 * 4") == "20"
    model = hub.api_get("/users/alice").json()
    assert model["servers"][""]["ready"]
    # The hub API no longer answers plain HTTP.
    try:
        plain = requests.get(f"http://127.0.0.1:{hub.api_port}/hub/api", timeout=5)
        assert plain.status_code != 200
    except requests.exceptions.ConnectionError:
        pass

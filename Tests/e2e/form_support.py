"""A hub with the Slurm spawner's form and no cluster behind it: its only login node accepts
connections and never answers, so `sinfo` hangs (the form must still render, availability unknown)
and nothing valid could ever be submitted; validation is all that can happen."""
import socket
import subprocess
import threading

import pytest

import slurm_support as slurm


# A small inline SVG logo (allowed by the pages' img-src 'self' data:).
LOGO = ("data:image/svg+xml;base64,"
        "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAzMiAzMiI+PGNpcmNsZSBjeD0iMTYiIGN5PSIxNiIgcj0iMTQiIGZpbGw9IiNmMzdhMWYiLz48dGV4dCB4PSIxNiIgeT0iMjEiIGZvbnQtc2l6ZT0iMTQiIHRleHQtYW5jaG9yPSJtaWRkbGUiIGZpbGw9IndoaXRlIj5IPC90ZXh0Pjwvc3ZnPg==")


class SilentLoginNode:
    """A TCP port that accepts SSH connections and never answers: `sinfo` hangs until the hub gives up."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.sock.close()
        for connection in self.held:
            connection.close()


@pytest.fixture
def form_hub(hub_factory, tmp_path):
    """A hub with the Slurm spawner's form whose login node never answers: the form must still render
    (availability unknown) and validation must refuse bad input before anything reaches the cluster."""
    node = SilentLoginNode()
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    (tmp_path / "known_hosts").write_text("")
    # Short timeouts: a hub's graceful stop waits for its start-up orphan sweep, which waits for the node.
    spawner = slurm.slurm_config(login_nodes=[f"127.0.0.1:{node.port}"], ssh_key_file=str(key),
                                 known_hosts_file=str(tmp_path / "known_hosts"), connect_timeout=3,
                                 command_timeout=4)
    spawner["slurm"]["partitions"][0].update(simple=True, description="Interactive work")
    yield hub_factory("formhub", extra={"spawner": spawner, "ui": {
        "site_name": "Test HPC Jupyter", "logo_url": LOGO, "docs_url": "https://docs.example.org/jupyter"}})
    node.close()

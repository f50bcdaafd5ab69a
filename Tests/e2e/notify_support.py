"""A stand-in for systemd's end of the service manager protocol: a unix datagram socket for NOTIFY_SOCKET."""
import os
import socket
import threading
import time

import requests


class FakeSystemd:
    """Receives notify datagrams in a thread; on READY=1 it checks at once that the hub answers."""

    def __init__(self, path, mode=None):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        if mode is not None:
            os.chmod(self.path, mode)  # e.g. for a container's conmon running as another user
        self.sock.settimeout(0.2)
        self.messages = []  # (monotonic time, {key: value})
        self.health_at_ready = None
        self.hub = None
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self.receive, daemon=True)
        self.thread.start()

    def receive(self):
        while self.running:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            if fields.get("READY") == "1" and self.health_at_ready is None and self.hub is not None:
                # No retry: READY=1 promises that the proxy and the hub API are up.
                self.health_at_ready = [requests.get(base + "/hub/health", timeout=5).status_code
                                        for base in (self.hub.public, self.hub.api)]
            with self.lock:
                self.messages.append((time.monotonic(), fields))

    def times(self, key, value=None):
        with self.lock:
            return [at for at, fields in self.messages if key in fields and (value is None or fields[key] == value)]

    def statuses(self):
        with self.lock:
            return [fields["STATUS"] for _, fields in self.messages if "STATUS" in fields]

    def close(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()

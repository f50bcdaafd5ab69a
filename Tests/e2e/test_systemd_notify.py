"""The service manager protocol (sd_notify) as systemd sees it: the test plays systemd.

The hub gets NOTIFY_SOCKET (a unix datagram socket bound here) and WATCHDOG_USEC=2000000, as a
Type=notify unit with WatchdogSec=2 would give it, and must send READY=1 only once its listeners
answer, WATCHDOG=1 every second, STATUS= lines with the server counts, and STOPPING=1 on SIGTERM.
"""
import signal
import time

import requests

from conftest import wait_for
from notify_support import FakeSystemd


def test_ready_watchdog_status_and_stopping(hub_factory, tmp_path):
    hub = hub_factory(start=False)
    manager = FakeSystemd(tmp_path / "notify.sock")
    manager.hub = hub
    try:
        hub.start(env={"NOTIFY_SOCKET": manager.path, "WATCHDOG_USEC": "2000000"})
        started = time.monotonic()

        # READY=1 at the latest shortly after the hub answers, and only once everything answers.
        wait_for(lambda: manager.times("READY", "1"), timeout=15, what="READY=1")
        assert manager.times("READY", "1")[0] <= started + 10
        assert manager.health_at_ready == [200, 200], manager.health_at_ready
        assert len(manager.times("READY", "1")) == 1
        assert manager.statuses() and "0 servers running, 0 spawning" in manager.statuses()

        # WATCHDOG=1 at half of WATCHDOG_USEC: about one per second.
        window_start = time.monotonic()
        time.sleep(4)
        pings = [at for at in manager.times("WATCHDOG", "1") if window_start <= at <= window_start + 4]
        assert 3 <= len(pings) <= 6, pings

        # STATUS= follows the servers: a running local server shows up.
        hub.start_server("alice")
        wait_for(lambda: any(status.startswith("1 server running") for status in manager.statuses()),
                 timeout=15, what="STATUS= with a running server")

        # SIGTERM: STOPPING=1 before the process exits.
        hub.kill(signal.SIGTERM)
        assert hub.process.returncode == 0
        assert manager.times("STOPPING", "1"), manager.statuses()
        assert not any(at > manager.times("STOPPING", "1")[0] for at in manager.times("READY", "1"))
    finally:
        manager.close()



def test_reload_on_sighup_is_bracketed_by_reloading_and_ready(hub_factory, tmp_path):
    hub = hub_factory(start=False)
    manager = FakeSystemd(tmp_path / "notify.sock")
    try:
        hub.start(env={"NOTIFY_SOCKET": manager.path})
        wait_for(lambda: manager.times("READY", "1"), timeout=15, what="READY=1")
        for round, config_text in enumerate([None, "hub: [not yaml"], start=1):
            if config_text is not None:
                hub.config_path.write_text(config_text)  # refused: the old configuration stays
            sent = time.monotonic()
            hub.process.send_signal(signal.SIGHUP)
            wait_for(lambda: [at for at in manager.times("READY", "1") if at > sent], timeout=10,
                     what=f"READY=1 after reload {round}")
            reloading = [at for at in manager.times("RELOADING", "1") if at > sent]
            ready = [at for at in manager.times("READY", "1") if at > sent]
            assert len(reloading) == 1 and reloading[0] < ready[0], (reloading, ready)
            with manager.lock:
                stamps = [fields.get("MONOTONIC_USEC") for _, fields in manager.messages if fields.get("RELOADING") == "1"]
            assert all(stamp and stamp.isdigit() for stamp in stamps), stamps
        assert "refused" in manager.statuses()[-1] or any("last reload refused" in s for s in manager.statuses())
        assert hub.process.poll() is None
        assert requests.get(hub.public + "/hub/health", timeout=5).status_code == 200
    finally:
        manager.close()

"""Live configuration reload: edits to the config file, the site templates and the known_hosts file apply
without a restart (on SIGHUP and by the file watcher), an invalid edit is refused and logged with the old
configuration kept, and a WebSocket through the proxy stays open throughout."""
import signal
import time

import requests
import yaml

from conftest import wait_for
from kernel_client import KernelChannel, create_kernel
from slurm_support import TEST_HOME, cancel_all_test_jobs, hub_extra, metric, require_cluster, spawn

ERROR_TEMPLATE = '<h1 id="error-title">{{status_code}} {{status_message}}</h1><p id="site-error">%s</p>\n'


def edit_config(hub, change):
    config = yaml.safe_load(hub.config_path.read_text())
    change(config)
    hub.config_path.write_text(yaml.safe_dump(config))


def reloads(hub, result):
    return metric(hub, "slurmhub_config_reloads_total", result=result)


def log_text(hub):
    return hub.log_path.read_text(errors="replace")


def test_edits_apply_live_while_a_websocket_stays_open(hub_factory, tmp_path):
    templates = tmp_path / "site-templates"
    templates.mkdir()
    (templates / "error.mustache").write_text(ERROR_TEMPLATE % "first look")
    hub = hub_factory(extra={"hub": {"config_watch_interval": 0.5},
                             "ui": {"site_name": "First Site", "templates_dir": str(templates)}})
    hub.start_server("alice")
    session = hub.login("alice")
    assert session.get(hub.public + "/user/alice/lab").status_code == 200
    base = hub.public + "/user/alice/"
    channel = KernelChannel(session, base.replace("http://", "ws://"), create_kernel(session, base))
    try:
        assert channel.run("x = 6 * 7; x") == "42"
        pid = hub.process.pid

        # The config file: a live key (the site name) and, in the same edit, a restart-only key.
        old_public_bind = yaml.safe_load(hub.config_path.read_text())["hub"]["public_bind"]
        edit_config(hub, lambda c: (c["ui"].update(site_name="Second Site"),
                                    c["hub"].update(public_bind="127.0.0.1:1")))
        wait_for(lambda: "Second Site" in session.get(hub.public + "/hub/home").text, timeout=15,
                 what="the new site name on the home page")
        assert reloads(hub, "applied") == 1
        assert "hub.public_bind changed in the configuration: it applies only at start-up" in log_text(hub)
        assert requests.get(hub.public + "/hub/health", timeout=5).status_code == 200  # still on the old port
        edit_config(hub, lambda c: c["hub"].update(public_bind=old_public_bind))
        wait_for(lambda: reloads(hub, "applied") == 2, timeout=15, what="second reload")

        # A site template: the 404 page changes look.
        (templates / "error.mustache").write_text(ERROR_TEMPLATE % "second look")
        wait_for(lambda: "second look" in session.get(hub.public + "/hub/no-such-page").text, timeout=15,
                 what="the edited template")

        # Invalid edits are refused, logged, and change nothing: bad YAML, a bad value, a broken template.
        applied = reloads(hub, "applied")
        good_config = hub.config_path.read_text()
        hub.config_path.write_text(good_config.replace("ui:", "ui: [broken", 1))
        wait_for(lambda: reloads(hub, "refused") == 1, timeout=15, what="bad YAML refused")
        hub.config_path.write_text(good_config)
        edit_config(hub, lambda c: c["hub"].update(concurrent_spawn_limit=-1))
        wait_for(lambda: reloads(hub, "refused") == 2, timeout=15, what="negative limit refused")
        assert reloads(hub, "applied") == applied
        hub.config_path.write_text(good_config)
        wait_for(lambda: reloads(hub, "applied") == applied + 1, timeout=15, what="the good config again")
        (templates / "error.mustache").write_text("{{#unclosed}} never closed")
        wait_for(lambda: reloads(hub, "refused") == 3, timeout=15, what="broken template refused")
        log = log_text(hub)
        assert "configuration reload refused" in log and "is not valid YAML" in log
        assert "hub.concurrent_spawn_limit must not be negative" in log
        assert "is not a valid template" in log
        assert reloads(hub, "applied") == applied + 1
        assert "Second Site" in session.get(hub.public + "/hub/home").text
        assert "second look" in session.get(hub.public + "/hub/no-such-page").text

        # SIGHUP (systemctl reload) after fixing the template reloads at once.
        (templates / "error.mustache").write_text(ERROR_TEMPLATE % "third look")
        hub.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "third look" in session.get(hub.public + "/hub/no-such-page").text, timeout=10,
                 what="reload on SIGHUP")

        # Same process, same server, and the WebSocket opened before the first edit still works.
        assert hub.process.poll() is None and hub.process.pid == pid
        assert channel.run("x + 1") == "43"
        assert hub.api_get("/users/alice").json()["servers"][""]["ready"] is True
    finally:
        channel.close()


def test_partition_added_live_and_known_hosts_change_reconnects(hub_factory, tmp_path):
    require_cluster()
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_bytes((TEST_HOME / "known_hosts").read_bytes())
    extra = hub_extra(known_hosts_file=str(known_hosts))
    extra["spawner"]["slurm"]["partitions"] = extra["spawner"]["slurm"]["partitions"][:1]  # debug only
    extra["hub"] = {"config_watch_interval": 0.5}
    hub = hub_factory(extra=extra)
    session = hub.login("alice")
    try:
        form = session.get(hub.public + "/hub/spawn")
        assert form.status_code == 200 and 'value="debug"' in form.text and 'value="long"' not in form.text
        refused = spawn(hub, body={"partition": "long", "environment": "venv"})
        assert refused.status_code == 400 and "partition" in refused.text

        def add_long(config):
            config["spawner"]["slurm"]["partitions"].append(
                {"name": "long", "description": "Long jobs", "max_runtime": "2-00:00:00", "max_cpus": 8,
                 "max_memory": "4G"})
        edit_config(hub, add_long)
        wait_for(lambda: 'value="long"' in session.get(hub.public + "/hub/spawn").text, timeout=15,
                 what="the new partition in the spawn form")

        started = spawn(hub, body={"partition": "long", "environment": "venv", "runtime": "01:00:00"})
        assert started.status_code in (201, 202), started.text
        hub.wait_ready("alice", timeout=120)
        sessions = metric(hub, "slurmhub_ssh_sessions_established_total")
        assert sessions == 1

        # A new known_hosts file (same keys, written anew): sessions reconnect and check the host key again.
        known_hosts.write_bytes(known_hosts.read_bytes())
        wait_for(lambda: "known_hosts" in log_text(hub) and reloads(hub, "applied") == 2, timeout=15,
                 what="reload after the known_hosts change")
        time.sleep(2.5)  # the next poll round runs squeue over a new session
        wait_for(lambda: metric(hub, "slurmhub_ssh_sessions_established_total") == 2, timeout=15,
                 what="a new SSH session after the known_hosts change")
        assert hub.api_get("/users/alice").json()["servers"][""]["ready"] is True

        # With the watcher off, `systemctl reload` (SIGHUP) after editing known_hosts reconnects as well.
        edit_config(hub, lambda c: c["hub"].update(config_watch_interval=0))
        wait_for(lambda: reloads(hub, "applied") == 3, timeout=15, what="the watcher switched off")
        known_hosts.write_bytes(known_hosts.read_bytes())
        time.sleep(1.5)
        assert reloads(hub, "applied") == 3
        hub.process.send_signal(signal.SIGHUP)
        wait_for(lambda: reloads(hub, "applied") == 4, timeout=15, what="reload on SIGHUP")
        wait_for(lambda: metric(hub, "slurmhub_ssh_sessions_established_total") == 3, timeout=15,
                 what="a new SSH session after known_hosts changed and SIGHUP")
    finally:
        cancel_all_test_jobs()

#!/usr/bin/env python3
"""Holds a flood of idle and half-sent connections against the hub's listeners and measures what still works.

Per listener (proxy and hub API) it opens `--idle` connections that send nothing and `--half` that send part of a
request head, from loopback source addresses 127.0.0.2 … 127.0.0.9 (so that the per-client cap is not what turns
them away), then, while they are held, times `GET /hub/health` on both listeners and a request to a running
JupyterLab through the proxy, and finally waits until the hub has closed the held connections. Loopback only,
bounded in time (`--wait`). Prints one table; exits 1 when a probe took longer than `--probe-limit` seconds or a
held connection outlived the header timeout by more than `--slack` seconds.

    python3 bench/flood.py --public http://127.0.0.1:8000 --api http://127.0.0.1:8081 \\
        --lab-url http://127.0.0.1:8000/user/alice/api/status --token <alice's token> --header-timeout 20
"""
import argparse
import asyncio
import resource
import sys
import time
import urllib.request
from urllib.parse import urlsplit

SOURCES = [f"127.0.0.{n}" for n in range(2, 10)]


class Held:
    """One held connection: when it opened and when the hub closed it."""

    def __init__(self):
        self.opened = None
        self.closed = None
        self.refused = False


async def hold(host, port, source, payload, held: Held):
    try:
        reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    except OSError:
        held.refused = True
        return
    held.opened = time.monotonic()
    if payload:
        writer.write(payload)
        await writer.drain()
    try:
        while await reader.read(4096):
            pass
    except OSError:
        pass
    held.closed = time.monotonic()
    writer.close()


def timed_get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    start = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
        status = response.status
    return status, time.monotonic() - start


async def probe(probes, rounds):
    """Runs every probe `rounds` times (in threads: urllib blocks); returns name → (statuses, worst seconds)."""
    results = {}
    for name, call in probes.items():
        statuses, worst = set(), 0.0
        for _ in range(rounds):
            try:
                status, took = await asyncio.to_thread(call)
            except Exception as error:  # a refused or timed-out probe is a result, not a crash
                status, took = f"error: {error}", 10.0
            statuses.add(status)
            worst = max(worst, took)
            await asyncio.sleep(0.2)
        results[name] = (statuses, worst)
    return results


async def flood(public, api, idle=2000, half=500, header_timeout=20.0, wait=None, lab=None, rounds=5):
    """Runs the flood; returns (rows, probe results, ok)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    listeners = {"proxy": urlsplit(public), "hub API": urlsplit(api)}
    held = {name: [] for name in listeners}
    tasks = []
    for name, url in listeners.items():
        partial = f"GET /hub/health HTTP/1.1\r\nHost: {url.netloc}\r\nX-Slow: ".encode()
        for index in range(idle + half):
            entry = Held()
            held[name].append((index < idle, entry))
            payload = b"" if index < idle else partial
            tasks.append(asyncio.create_task(
                hold(url.hostname, url.port, SOURCES[index % len(SOURCES)], payload, entry)))
            if index % 200 == 199:
                await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    probes = {
        "proxy /hub/health": lambda: timed_get(public + "/hub/health"),
        "hub API /hub/health": lambda: timed_get(api + "/hub/health"),
    }
    if lab:
        probes["JupyterLab through proxy"] = lab
    results = await probe(probes, rounds)
    deadline = header_timeout + (wait if wait is not None else 15.0)
    await asyncio.wait(tasks, timeout=deadline)
    for task in tasks:
        task.cancel()
    rows, ok = [], True
    for name in listeners:
        for kind, is_idle in (("idle", True), ("half-sent", False)):
            entries = [entry for flag, entry in held[name] if flag == is_idle]
            opened = [e for e in entries if e.opened is not None]
            closed = [e for e in opened if e.closed is not None]
            lifetimes = [e.closed - e.opened for e in closed]
            refused_at_once = sum(1 for t in lifetimes if t < 0.5)
            longest = max(lifetimes, default=0.0)
            rows.append((name, kind, len(entries), len(opened), len(closed), refused_at_once, longest))
            if len(closed) < len(opened) or longest > header_timeout + (wait if wait is not None else 15.0):
                ok = False
    return rows, results, ok


def report(rows, results, probe_limit, header_timeout):
    ok = True
    print(f"{'listener':<10} {'held':<10} {'asked':>6} {'opened':>7} {'closed':>7} {'at once':>8} {'longest s':>10}")
    for name, kind, asked, opened, closed, at_once, longest in rows:
        print(f"{name:<10} {kind:<10} {asked:>6} {opened:>7} {closed:>7} {at_once:>8} {longest:>10.1f}")
    print(f"(header timeout {header_timeout:g} s; 'at once': closed within 0.5 s, i.e. over a connection cap)")
    print(f"{'probe while held':<28} {'statuses':<12} {'worst s':>8}")
    for name, (statuses, worst) in results.items():
        print(f"{name:<28} {','.join(map(str, sorted(map(str, statuses)))):<12} {worst:>8.3f}")
        if worst > probe_limit or statuses != {200}:
            ok = False
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--public", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--half", type=int, default=500)
    parser.add_argument("--header-timeout", type=float, default=20.0)
    parser.add_argument("--slack", type=float, default=15.0)
    parser.add_argument("--probe-limit", type=float, default=1.0)
    parser.add_argument("--lab-url", help="a JupyterLab URL through the proxy, e.g. …/user/alice/api/status")
    parser.add_argument("--token", help="token sent to --lab-url")
    args = parser.parse_args()
    lab = None
    if args.lab_url:
        headers = {"Authorization": f"token {args.token}"} if args.token else {}
        lab = lambda: timed_get(args.lab_url, headers)  # noqa: E731
    rows, results, closed_ok = asyncio.run(flood(args.public, args.api, args.idle, args.half,
                                                 args.header_timeout, args.slack, lab))
    probes_ok = report(rows, results, args.probe_limit, args.header_timeout)
    sys.exit(0 if closed_ok and probes_ok else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Benchmark: the Slurm spawner's hub-side cost, slurmhub vs. batchspawner with an ssh exec_prefix.
#
# One run, one login node (the loopback login node of scripts/slurm-test-cluster.sh), two parts:
#   1. Submission overhead, N interleaved rounds of: a spawn through slurmhub (spawn reaching the
#      spawner → sbatch returned the job id, from the hub's own histogram, over its kept-open SSH
#      session), a fresh `ssh … sudo -n -u alice sbatch --parsable` as batchspawner runs it through an
#      ssh exec_prefix, and a local `sudo -n -u alice sbatch --parsable` without SSH (the floor).
#   2. Poll cost with 100 tracked jobs: Slurm queries and SSH sessions per poll interval, from the
#      hub's counters over about ten intervals.
# The driver is bench/spawn_bench.py (HTTP, metrics, SQLite); it prints a markdown block for
# BENCHMARKS.md on stdout, progress on stderr.
#
# Needs root and the test cluster up (scripts/slurm-test-cluster.sh up), and the Python venv in
# .venv (scripts/test.sh or scripts/run-hub.sh create it). Cancels every job of alice and bob
# before and after the run (the test cluster's users; nobody else may use them meanwhile).
#
# Environment:
#   SLURMHUB_BIN   slurmhub binary (default .build-release/release/slurmhub, else .build/release/slurmhub;
#                  build with `swift build -c release --scratch-path .build-release --product slurmhub`)
#   N              spawns per contender (default 30)
#   JOBS           tracked jobs in part 2 (default 100)
#   POLL_INTERVAL  spawner.poll_interval in part 2, seconds (default 2)
#   POLL_ROUNDS    poll rounds measured in part 2 (default 10)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ -z "${SLURMHUB_BIN:-}" ]; then
    SLURMHUB_BIN=.build-release/release/slurmhub
    [ -x "$SLURMHUB_BIN" ] || SLURMHUB_BIN=.build/release/slurmhub
fi
SLURMHUB_BIN=$(realpath "$SLURMHUB_BIN" 2>/dev/null || echo "$SLURMHUB_BIN")
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
TEST_HOME=${SLURMHUB_TEST_HOME:-/var/lib/slurmhub-test}

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# --- prerequisites -----------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "run as root (submits as alice and bob with runuser, reads the operator's key)"
[ -x "$SLURMHUB_BIN" ] || die "no slurmhub binary at $SLURMHUB_BIN (swift build -c release --scratch-path .build-release --product slurmhub)"
[ -x "$PYTHON" ] || die "no Python venv at $PYTHON (scripts/test.sh creates .venv)"
"$PYTHON" -c 'import requests, yaml' || die "$PYTHON lacks requests or yaml"
command -v ssh >/dev/null || die "ssh client missing"
squeue --noheader >/dev/null 2>&1 || die "squeue cannot reach slurmctld: scripts/slurm-test-cluster.sh up"
[ -s "$TEST_HOME/known_hosts" ] && [ -s "$TEST_HOME/ssh/id_ed25519" ] ||
    die "$TEST_HOME/{known_hosts,ssh/id_ed25519} missing: scripts/slurm-test-cluster.sh up"

cancel_test_jobs() {
    scancel -u alice 2>/dev/null || true
    scancel -u bob 2>/dev/null || true
    local i
    for i in $(seq 1 100); do
        [ -z "$(squeue --noheader --user=alice,bob --format=%i 2>/dev/null)" ] && return 0
        sleep 0.2
    done
    log "WARNING: jobs of alice or bob still queued after 20 s"
}

# --- scratch dir and cleanup -------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/slurmhub-spawn-bench.XXXXXX")
cleanup() {
    # The driver stops its hub itself; this is the safety net for an interrupted run.
    if [ -s "$WORK/hub.pid" ]; then
        pid=$(cat "$WORK/hub.pid")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    cancel_test_jobs
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$(squeue --noheader --user=alice,bob --format=%i)" ]; then
    log "cancelling the jobs alice and bob have queued (the run needs an empty queue for them)"
    cancel_test_jobs
fi

log "slurmhub binary: $SLURMHUB_BIN ($("$SLURMHUB_BIN" version 2>/dev/null || echo '?'))"
SLURMHUB_BIN=$SLURMHUB_BIN WORK=$WORK SLURMHUB_TEST_HOME=$TEST_HOME \
    "$PYTHON" "$ROOT/bench/spawn_bench.py"

#!/usr/bin/env bash
# Runs every test: Swift unit tests, then the end-to-end suite with real JupyterLab,
# jupyterhub-singleuser, jupyterhub-idle-culler and a stock JupyterHub against the built binary.
# Installs what is missing first. Exit status is non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH

echo "==> swift build (debug, with tests)"
mkdir -p test-artifacts
if ! swift build --build-tests > test-artifacts/build.log 2>&1; then
    grep -E 'error' test-artifacts/build.log | head -50
    echo "build failed; full log in test-artifacts/build.log" >&2
    exit 1
fi

echo "==> every imported module is a declared dependency of its target"
python3 scripts/check-imports.py

echo "==> swift test"
swift test --skip-build --parallel

echo "==> the README's run command (smoke: start, /hub/health, stop)"
./scripts/run-hub.sh --smoke

bin="$(swift build --show-bin-path)/slurmhub"
echo "==> login-node artifacts (slurm_host/): regenerated without drift, visudo -c, sshd -t"
./scripts/check-slurm-host.sh "$bin"
echo "==> appliance units (systemd/): regenerated without drift, systemd-analyze verify"
./scripts/check-systemd.sh "$bin"
echo "==> host artifacts (host/): regenerated without drift, nft -c and the rules at work, prepare-host.sh dry and real runs"
./scripts/check-host.sh "$bin"

echo "==> the single-node Slurm test cluster (idempotent; the README's run command brought it up already)"
SLURMHUB_BIN="$bin" ./scripts/slurm-test-cluster.sh up > test-artifacts/slurm-test-cluster.log 2>&1 ||
    { tail -40 test-artifacts/slurm-test-cluster.log; exit 1; }

echo "==> the appliance image: container/Containerfile built with rootless podman (scripts/build-image.sh)"
if ! ./scripts/build-image.sh > test-artifacts/build-image.log 2>&1; then
    tail -60 test-artifacts/build-image.log
    exit 1
fi
tail -1 test-artifacts/build-image.log

echo "==> end-to-end tests"
SLURMHUB_BIN="$bin" .venv/bin/python -m pytest Tests/e2e -v -rA \
    --junitxml=test-artifacts/e2e-junit.xml

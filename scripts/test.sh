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

echo "==> swift test"
swift test --skip-build --parallel

echo "==> the README's run command (smoke: start, /hub/health, stop)"
./scripts/run-hub.sh --smoke

echo "==> end-to-end tests"
SLURMHUB_BIN="$(swift build --show-bin-path)/slurmhub" .venv/bin/python -m pytest Tests/e2e -v -rA \
    --junitxml=test-artifacts/e2e-junit.xml

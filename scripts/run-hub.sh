#!/usr/bin/env bash
# Installs what is missing, builds slurmhub and runs it with the embedded defaults:
# SQLite in ./slurmhub-dev/data, the dev login, the local spawner (jupyterhub-singleuser from .venv).
# Usage: ./scripts/run-hub.sh [--smoke]   (--smoke: start, check /hub/health, stop)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
command -v swift >/dev/null 2>&1 || export PATH=/opt/swift/usr/bin:$PATH

configuration="${SLURMHUB_BUILD:-debug}"
echo "==> swift build -c $configuration (the first build takes several minutes)"
swift build -c "$configuration" --product slurmhub 2>&1 | grep -E 'error|Compiling slurmhub|Build' || true
binary="$(swift build -c "$configuration" --show-bin-path)/slurmhub"

workdir="$PWD/slurmhub-dev"
mkdir -p "$workdir"
singleuser=("$PWD/.venv/bin/jupyterhub-singleuser")
# jupyter-server refuses to run as root without --allow-root.
[ "$(id -u)" -eq 0 ] && singleuser+=("--allow-root")
cmd=$(printf '"%s", ' "${singleuser[@]}")
cat > "$workdir/config.yaml" <<YAML
# Written by scripts/run-hub.sh; edit freely (see the README's configuration reference).
hub:
  public_bind: 127.0.0.1:8000
  api_bind: 127.0.0.1:8081
  data_dir: $workdir/data
  admin_users: [admin]
auth:
  kind: dev
  dev:
    users: [alice, bob, admin]
spawner:
  kind: local
  local:
    cmd: [${cmd%, }]
YAML
"$binary" check-config --config "$workdir/config.yaml" >/dev/null

export PATH="$PWD/.venv/bin:$PATH"
"$binary" serve --config "$workdir/config.yaml" &
hub=$!
trap 'kill $hub 2>/dev/null || true' INT TERM
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null http://127.0.0.1:8000/hub/health 2>/dev/null && break
    sleep 0.2
done
cat <<INFO

  slurmhub is running:  http://127.0.0.1:8000/hub/login
  users:                alice, bob, admin (admin)
  password:             $(cat "$workdir/data/dev-password")
  data and logs:        $workdir/data

INFO
if [ "${1:-}" = "--smoke" ]; then
    curl -fsS http://127.0.0.1:8000/hub/health >/dev/null && echo "smoke: /hub/health OK"
    kill -TERM $hub
    wait $hub
    exit 0
fi
wait $hub

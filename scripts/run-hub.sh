#!/usr/bin/env bash
# Installs what is missing, builds slurmhub and runs it: SQLite in ./slurmhub-dev/data, the dev login,
# and, as root on Debian/Ubuntu, the Slurm spawner on a single-node test cluster that this script brings up
# (scripts/slurm-test-cluster.sh: munge, slurmctld, slurmd, a loopback login node on 127.0.0.1:2222,
# users alice and bob). Elsewhere it falls back to the local spawner (jupyterhub-singleuser from .venv).
# Usage: ./scripts/run-hub.sh [--smoke] [--local]
#   --smoke  start, check /hub/health (and, with Slurm, that the login node answers), stop
#   --local  use the local spawner even where the test cluster could run
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
smoke=false use_slurm=false
for argument in "$@"; do
    case "$argument" in
        --smoke) smoke=true ;;
        --local) use_slurm=local ;;
        *) echo "usage: $0 [--smoke] [--local]" >&2; exit 2 ;;
    esac
done
if [ "$use_slurm" = false ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    use_slurm=true
fi
if [ "$use_slurm" = true ]; then
    echo "==> bringing up the single-node Slurm test cluster"
    SLURMHUB_BIN="$binary" ./scripts/slurm-test-cluster.sh up
    spawner=$(cat <<YAML
spawner:
  kind: slurm
  start_timeout: 300
  slurm:
    login_nodes: [127.0.0.1:2222]
    ssh_user: slurmhub
    ssh_key_file: /var/lib/slurmhub-test/ssh/id_ed25519
    known_hosts_file: /var/lib/slurmhub-test/known_hosts
    partitions:
      - {name: debug, description: "Interactive work, up to 12 hours", simple: true, max_runtime: "12:00:00", max_cpus: 2, max_memory: 2G}
      - {name: long, description: "Long runs, up to 2 days", max_runtime: "2-00:00:00", max_cpus: 2, max_memory: 2G}
    environments:
      - {id: venv, description: "JupyterLab from this checkout's .venv", path: $PWD/.venv/bin}
YAML
)
    users="alice, bob (Unix users on the test cluster; each server is a Slurm job of its user)"
else
    singleuser=("$PWD/.venv/bin/jupyterhub-singleuser")
    # jupyter-server refuses to run as root without --allow-root.
    [ "$(id -u)" -eq 0 ] && singleuser+=("--allow-root")
    cmd=$(printf '"%s", ' "${singleuser[@]}")
    spawner=$(cat <<YAML
spawner:
  kind: local
  local:
    cmd: [${cmd%, }]
YAML
)
    users="alice, bob, admin (admin); servers run as local processes"
fi
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
$spawner
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
  users:                $users
  password:             $(cat "$workdir/data/dev-password")
  data and logs:        $workdir/data

INFO
if [ "$smoke" = true ]; then
    curl -fsS http://127.0.0.1:8000/hub/health >/dev/null && echo "smoke: /hub/health OK"
    kill -TERM $hub
    wait $hub
    exit 0
fi
wait $hub

#!/usr/bin/env bash
# Installs what building, running and testing slurmhub needs on Debian 12, as root:
# system packages (apt) and a Python venv (.venv) with the real Jupyter clients.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libsqlite3-dev libssl-dev openssl zlib1g-dev python3 python3-venv python3-pip curl procps git libssh-dev openssh-server
              sudo chromium chromium-driver libsystemd-dev systemd nftables iproute2
              podman uidmap runc debootstrap)
missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        export PATH=/opt/swift/usr/bin:$PATH
    else
        echo "error: a Swift 6 toolchain is required (https://www.swift.org/install/linux/); put 'swift' on PATH" >&2
        exit 1
    fi
fi

# The Python side: jupyterhub-singleuser and JupyterLab for the servers, and the clients the tests drive.
PYTHON_PACKAGES=(
    "jupyterhub==6.1.1" jupyterlab "jupyterhub-idle-culler==2.0.0" batchspawner
    pytest requests websocket-client pyyaml oidc-provider-mock selenium
)
# The venv is built on Debian's /usr/bin/python3: Slurm jobs run jupyterhub-singleuser from it as the
# test users, who cannot reach an interpreter under /root (pyenv and the like).
if [ -f .venv/pyvenv.cfg ] && ! grep -qx 'home = /usr/bin' .venv/pyvenv.cfg; then
    echo "==> .venv is not based on /usr/bin/python3: recreating it"
    rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    /usr/bin/python3 -m venv .venv
fi
if ! .venv/bin/python - "${PYTHON_PACKAGES[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
for spec in sys.argv[1:]:
    name, _, pinned = spec.partition("==")
    try:
        installed = version(name)
        if pinned and installed != pinned:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
then
    echo "==> pip install ${PYTHON_PACKAGES[*]}"
    .venv/bin/pip install -q --disable-pip-version-check "${PYTHON_PACKAGES[@]}"
fi

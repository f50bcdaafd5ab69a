#!/usr/bin/env bash
# Checks the committed appliance units in systemd/:
#   1. regenerates them from systemd/example-config.yaml and fails if the committed files differ (drift);
#   2. systemd-analyze --user verify on container-slurmhub.service, and on the [Unit]/[Service]/[Install]
#      sections of slurmhub.container (what Quadlet passes through to systemd unchanged); any warning fails;
#   3. when podman is installed: every podman option the units use exists in this podman's `podman run --help`;
#      when Quadlet is installed (podman 4.6+, not in Debian 12): quadlet -dryrun accepts slurmhub.container.
#
#   scripts/check-systemd.sh [SLURMHUB_BINARY]     (default .build/debug/slurmhub)
#
# systemd-analyze (package systemd) is required when CI=true; otherwise its check is skipped with a warning.
# It does not need systemd as PID 1. verify insists that ExecStart's program exists: without /usr/bin/podman the
# service is verified as a copy whose only change is the podman path (a stub).
set -euo pipefail
if [[ -n ${1:-} ]]; then BIN=$(realpath -m -- "$1"); fi
cd "$(dirname "$0")/.."
source scripts/check-lib.sh
BIN=${BIN:-.build/debug/slurmhub}
CONFIG=systemd/example-config.yaml
GENERATE=("$BIN" generate systemd --config "$CONFIG" --host-config /etc/slurmhub/config.yaml
          --image registry.example.org/hpc/slurmhub:1)
FILES=(slurmhub.container container-slurmhub.service)


[[ -x $BIN ]] || die "$BIN is not an executable slurmhub binary (swift build, or pass its path as \$1)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

log "regenerating from $CONFIG"
"${GENERATE[@]}" --output-dir "$TMP/generated" >/dev/null
check_drift "$TMP/generated" systemd "${FILES[@]}" || die "systemd/ is out of date: run ${GENERATE[*]} --output-dir systemd"
log "systemd/{${FILES[*]}} match the generator"

# verify UNIT: systemd-analyze --user verify, failing on any message (unknown keys are only warnings to it).
verify() {
    local output
    mkdir -p "$TMP/runtime"
    if ! output=$(XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$TMP/runtime} SYSTEMD_LOG_COLOR=0 \
                  systemd-analyze --user --man=no verify "$1" 2>&1) || [[ -n $output ]]; then
        printf '%s\n' "$output" >&2
        die "systemd-analyze verify rejects $2"
    fi
}

# The podman run options of the service's ExecStart (the image and the hub's own arguments come last).
podman_options() {
    # The words of ExecStart as systemd splits them (a quoted word such as "--health-cmd=… --url …" is one word).
    python3 - systemd/container-slurmhub.service <<'PY'
import re, shlex, sys
text = re.sub(r"\\\n\s*", " ", open(sys.argv[1]).read())
words = shlex.split(next(line for line in text.splitlines() if line.startswith("ExecStart="))[len("ExecStart="):])
options = []
for word in words[2:]:  # after "/usr/bin/podman run", up to the image (the hub's own arguments follow it)
    if not word.startswith("-"):
        break
    options.append(word.split("=", 1)[0])
print("\n".join(sorted(set(options))))
PY
}

if command -v systemd-analyze >/dev/null; then
    mkdir -p "$TMP/verify"
    PODMAN=/usr/bin/podman
    if [[ ! -x $PODMAN ]]; then
        PODMAN=$TMP/verify/podman
        printf '#!/bin/sh\nexit 0\n' >"$PODMAN"
        chmod +x "$PODMAN"
        log "no /usr/bin/podman: verifying with a stub in its place"
    fi
    sed "s#/usr/bin/podman#$PODMAN#g" systemd/container-slurmhub.service >"$TMP/verify/container-slurmhub.service"
    verify "$TMP/verify/container-slurmhub.service" systemd/container-slurmhub.service
    log "systemd-analyze verify systemd/container-slurmhub.service: OK"
    # What Quadlet copies into slurmhub.service unchanged, plus the Type= and ExecStart= it adds.
    awk '/^\[/ { keep = ($0 != "[Container]") } keep' systemd/slurmhub.container |
        sed "s#/usr/bin/podman#$PODMAN#g" |
        awk -v podman="$PODMAN" '{ print } /^\[Service\]$/ { print "Type=notify"; print "NotifyAccess=all"; print "ExecStart=" podman " run" }' \
        >"$TMP/verify/slurmhub.service"
    verify "$TMP/verify/slurmhub.service" "the [Unit], [Service] and [Install] sections of systemd/slurmhub.container"
    log "systemd-analyze verify on slurmhub.container's [Unit], [Service] and [Install]: OK"
else
    missing systemd-analyze systemd
fi

if command -v podman >/dev/null; then
    version=$(podman --version | awk '{print $3}')
    help=$(podman run --help)
    unknown=()
    for option in $(podman_options); do
        grep -qE -- "^\s+(-[a-zA-Z], )?$option[ =]" <<<"$help" || unknown+=("$option")
    done
    ((${#unknown[@]} == 0)) || die "podman $version does not know: ${unknown[*]}"
    log "podman $version knows all $(podman_options | wc -l) podman run options of the units"
    quadlet=$(ls /usr/libexec/podman/quadlet /usr/lib/podman/quadlet 2>/dev/null | head -1 || true)
    if [[ -n $quadlet ]]; then
        mkdir -p "$TMP/quadlet"
        cp systemd/slurmhub.container "$TMP/quadlet/"
        QUADLET_UNIT_DIRS=$TMP/quadlet "$quadlet" -dryrun -user >"$TMP/quadlet.out" 2>&1 ||
            { cat "$TMP/quadlet.out" >&2; die "quadlet rejects systemd/slurmhub.container"; }
        log "$quadlet -dryrun -user accepts slurmhub.container"
    else
        log "podman $version has no Quadlet (slurmhub.container needs 4.6+): Quadlet dry run skipped"
    fi
else
    log "podman not installed: option and Quadlet checks skipped (the unit test compares both files)"
fi
log "systemd checks passed"

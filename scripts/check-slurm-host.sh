#!/usr/bin/env bash
# Checks the committed login-node examples in slurm_host/:
#   1. regenerates them from slurm_host/example-config.yaml and fails if the committed files differ (drift);
#   2. visudo -cf on the sudoers fragment;
#   3. sshd -t on a throw-away sshd_config that includes the sshd fragment (with a throw-away host key),
#      and sshd -T to confirm that AcceptEnv applies to the hub's account only.
#
#   scripts/check-slurm-host.sh [SLURMHUB_BINARY]     (default .build/debug/slurmhub)
#
# Without visudo or sshd (packages sudo, openssh-server) checks 2 and 3 are skipped with a warning,
# except when CI=true: then a missing tool is an error.
set -euo pipefail
# A binary given as $1 is relative to the caller's directory; the default, to the repository.
if [[ -n ${1:-} ]]; then BIN=$(realpath -m -- "$1"); fi
cd "$(dirname "$0")/.."
source scripts/check-lib.sh
BIN=${BIN:-.build/debug/slurmhub}
CONFIG=slurm_host/example-config.yaml
FILES=(sudoers sshd_config.d/slurmhub.conf hub-ssh.txt)



[[ -x $BIN ]] || die "$BIN is not an executable slurmhub binary (swift build, or pass its path as \$1)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

log "regenerating from $CONFIG"
"$BIN" generate slurm-host --config "$CONFIG" --output-dir "$TMP/generated" >/dev/null
check_drift "$TMP/generated" slurm_host "${FILES[@]}" || die "slurm_host/ is out of date: run $BIN generate slurm-host --config $CONFIG --output-dir slurm_host"
log "slurm_host/{${FILES[*]}} match the generator"

VISUDO=$(command -v visudo || true)
[[ -n $VISUDO || ! -x /usr/sbin/visudo ]] || VISUDO=/usr/sbin/visudo
if [[ -n $VISUDO ]]; then
    "$VISUDO" -cf slurm_host/sudoers || die "visudo rejects slurm_host/sudoers"
    log "visudo -cf slurm_host/sudoers: OK"
else
    missing visudo sudo
fi

SSHD=$(command -v sshd || true)
[[ -n $SSHD || ! -x /usr/sbin/sshd ]] || SSHD=/usr/sbin/sshd
if [[ -n $SSHD ]]; then
    ssh-keygen -q -t ed25519 -N '' -f "$TMP/host_key"
    # The fragment first, as sshd_config.d/*.conf is included at the top of Debian's and RHEL's sshd_config:
    # its Match block must end with the file and must not change what follows for other users.
    cat >"$TMP/sshd_config" <<EOF
Include $PWD/slurm_host/sshd_config.d/slurmhub.conf
HostKey $TMP/host_key
PidFile $TMP/sshd.pid
PasswordAuthentication yes
EOF
    # sshd -t wants its privilege separation directory.
    if [[ ! -d /run/sshd && $(id -u) == 0 ]]; then install -d -m 0755 /run/sshd; fi
    "$SSHD" -t -f "$TMP/sshd_config" || die "sshd -t rejects a config including slurm_host/sshd_config.d/slurmhub.conf"
    log "sshd -t with the fragment: OK"
    user=$(sed -n 's/^Match User \([a-z_][a-z0-9_-]*\)$/\1/p' slurm_host/sshd_config.d/slurmhub.conf)
    [[ -n $user ]] || die "no 'Match User' line in slurm_host/sshd_config.d/slurmhub.conf"
    expected=$(sed -n 's/^ *AcceptEnv //p' slurm_host/sshd_config.d/slurmhub.conf | tr ' ' '\n' | sort)
    effective() { "$SSHD" -T -f "$TMP/sshd_config" -C "user=$1,host=hub.example.org,addr=192.0.2.1"; }
    mine=$(effective "$user")
    others=$(effective someone-else)
    accepted=$(sed -n 's/^acceptenv //p' <<<"$mine" | sort)
    [[ $accepted == "$expected" ]] || die "sshd -T for $user accepts '$accepted', expected '$expected'"
    grep -qx 'passwordauthentication no' <<<"$mine" || die "password logins stay allowed for $user"
    ! grep -q '^acceptenv ' <<<"$others" || die "AcceptEnv leaks to other users"
    grep -qx 'passwordauthentication yes' <<<"$others" || die "the Match block leaks into later settings"
    log "sshd -T: AcceptEnv of $(wc -l <<<"$expected") names for $user only; the Match block ends with the fragment"
else
    missing sshd openssh-server
fi
log "slurm_host checks passed"

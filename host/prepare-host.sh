#!/usr/bin/env bash
# Prepares a host for the slurmhub appliance (the hub in rootless podman under the operator's systemd user
# instance), as root. Safe to run again: it only changes what is not as it should be, and says what it did.
#
#   host/prepare-host.sh [--dry-run] [--user NAME] [--home DIR] [--config-dir DIR] [--data-dir DIR]
#
#   --dry-run       print what would be done (as commands), change nothing
#   --user NAME     the operator account that runs podman (default slurmhub)
#   --home DIR      its home: podman's image store and the unit files live there (default /home/NAME)
#   --config-dir    configuration, secrets, ssh/ and tls/ (default /etc/slurmhub), mounted read-only
#   --data-dir      hub.data_dir: database, cookie secret, logs (default /var/lib/slurmhub), mounted read-write
#
# What it does:
#   1. the operator account (own group, a login shell for `machinectl shell`, password locked);
#   2. subordinate uid and gid ranges for it (65536 each, after the highest range in use), which rootless
#      podman needs;
#   3. lingering (`loginctl enable-linger`): its systemd user instance starts at boot, without a login;
#   4. the directories, owners and modes the container expects (keep-id: it runs as the operator):
#        CONFIG_DIR        root:NAME 0750   config.yaml and secret files root:NAME 0640
#        CONFIG_DIR/ssh    NAME:NAME 0700   the hub's private key NAME 0600, known_hosts 0644
#        CONFIG_DIR/tls    root:NAME 0750   CA certificates
#        DATA_DIR          NAME:NAME 0700
#        HOME/.config/containers/systemd, HOME/.config/systemd/user   where the unit files go
#   5. on SELinux hosts, the container_file_t label on CONFIG_DIR and DATA_DIR.
# It installs no packages: it reports podman, newuidmap/newgidmap and slirp4netns/pasta when missing.
set -euo pipefail

DRY_RUN=false
USER_NAME=slurmhub
HOME_DIR=
CONFIG_DIR=/etc/slurmhub
DATA_DIR=/var/lib/slurmhub
SUBID_COUNT=65536

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
    case $1 in
        --dry-run) DRY_RUN=true ;;
        --user) USER_NAME=${2:?--user needs a name}; shift ;;
        --home) HOME_DIR=${2:?--home needs a directory}; shift ;;
        --config-dir) CONFIG_DIR=${2:?--config-dir needs a directory}; shift ;;
        --data-dir) DATA_DIR=${2:?--data-dir needs a directory}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) printf 'unknown argument: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
HOME_DIR=${HOME_DIR:-/home/$USER_NAME}
[[ $USER_NAME =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || { echo "invalid user name: $USER_NAME" >&2; exit 2; }
for dir in "$HOME_DIR" "$CONFIG_DIR" "$DATA_DIR"; do
    [[ $dir == /* ]] || { echo "not an absolute path: $dir" >&2; exit 2; }
done

log() { printf '==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
# run COMMAND...: prints it (shell-quoted, after "+") and runs it, unless --dry-run.
run() {
    printf '+'; printf ' %q' "$@"; printf '\n'
    $DRY_RUN || "$@"
}

if ! $DRY_RUN && ((EUID != 0)); then
    echo "run as root (or with --dry-run)" >&2
    exit 1
fi
$DRY_RUN && log "dry run: nothing is changed; the commands that would run follow"

log "software"
for tool in podman newuidmap newgidmap; do
    if command -v "$tool" >/dev/null; then ok "$tool"; else warn "$tool not found: install podman and uidmap (Debian) or podman and shadow-utils (RHEL)"; fi
done
if command -v slirp4netns >/dev/null || command -v pasta >/dev/null; then
    ok "rootless networking ($(command -v pasta slirp4netns | head -1))"
else
    warn "neither slirp4netns nor pasta found: install slirp4netns (podman 4) or passt (podman 5)"
fi
if [[ -r /proc/sys/kernel/unprivileged_userns_clone && $(cat /proc/sys/kernel/unprivileged_userns_clone) == 0 ]]; then
    warn "kernel.unprivileged_userns_clone is 0: rootless podman needs it set to 1"
fi

log "operator account $USER_NAME"
if id -u "$USER_NAME" >/dev/null 2>&1; then
    ok "$USER_NAME exists (uid $(id -u "$USER_NAME"))"
else
    run useradd --create-home --home-dir "$HOME_DIR" --user-group --shell /bin/bash \
        --comment "slurmhub appliance (rootless podman)" "$USER_NAME"
fi

# The first free subordinate id after every range in /etc/subuid and /etc/subgid (at least 100000).
next_subid() {
    cat /etc/subuid /etc/subgid 2>/dev/null |
        awk -F: 'BEGIN { next_id = 100000 } NF == 3 && $2 + $3 > next_id { next_id = $2 + $3 } END { print next_id }'
}
log "subordinate uid and gid ranges"
start=$(next_subid)
for kind in uid gid; do
    if grep -q "^$USER_NAME:" "/etc/sub$kind" 2>/dev/null; then
        ok "/etc/sub$kind: $(grep "^$USER_NAME:" "/etc/sub$kind" | head -1)"
    else
        run usermod "--add-sub${kind}s" "$start-$((start + SUBID_COUNT - 1))" "$USER_NAME"
    fi
done

log "lingering (the user instance starts at boot)"
if [[ -e /var/lib/systemd/linger/$USER_NAME ]]; then
    ok "lingering is enabled"
elif [[ -d /run/systemd/system ]] && command -v loginctl >/dev/null; then
    run loginctl enable-linger "$USER_NAME"
else
    # What enable-linger records; logind acts on it at the next boot.
    warn "systemd is not running: recording lingering for the next boot"
    run install -D -m 0644 /dev/null "/var/lib/systemd/linger/$USER_NAME"
fi

log "directories"
# directory OWNER:GROUP MODE PATH: create it, or correct its owner and mode.
directory() {
    local owner=$1 mode=$2 path=$3
    if [[ -d $path && $(stat -c '%U:%G %a' "$path") == "$owner ${mode#0}" ]]; then
        ok "$path ($owner, $mode)"
    else
        run install -d -o "${owner%%:*}" -g "${owner##*:}" -m "$mode" "$path"
    fi
}
directory "root:$USER_NAME" 0750 "$CONFIG_DIR"
directory "$USER_NAME:$USER_NAME" 0700 "$CONFIG_DIR/ssh"
directory "root:$USER_NAME" 0750 "$CONFIG_DIR/tls"
directory "$USER_NAME:$USER_NAME" 0700 "$DATA_DIR"
if [[ ! -d $HOME_DIR ]] && id -u "$USER_NAME" >/dev/null 2>&1; then
    run install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 "$HOME_DIR"
fi
for path in "$HOME_DIR/.config" "$HOME_DIR/.config/containers" "$HOME_DIR/.config/containers/systemd" \
            "$HOME_DIR/.config/systemd" "$HOME_DIR/.config/systemd/user"; do
    directory "$USER_NAME:$USER_NAME" 0755 "$path"
done

log "files already in place"
# fix_file OWNER:GROUP MODE PATH: correct the owner and mode of an existing file.
fix_file() {
    local owner=$1 mode=$2 path=$3
    [[ -f $path ]] || return 0
    if [[ $(stat -c '%U:%G %a' "$path") == "$owner ${mode#0}" ]]; then
        ok "$path ($owner, $mode)"
    else
        run chown "$owner" "$path"
        run chmod "$mode" "$path"
    fi
}
shopt -s nullglob
for path in "$CONFIG_DIR"/*; do
    if [[ -f $path ]]; then fix_file "root:$USER_NAME" 0640 "$path"; fi
done
for path in "$CONFIG_DIR"/ssh/*; do
    case $path in
        *.pub|*/known_hosts) fix_file "$USER_NAME:$USER_NAME" 0644 "$path" ;;
        *) fix_file "$USER_NAME:$USER_NAME" 0600 "$path" ;;
    esac
done
shopt -u nullglob

if command -v selinuxenabled >/dev/null && selinuxenabled; then
    log "SELinux labels (container_file_t)"
    for path in "$CONFIG_DIR" "$DATA_DIR"; do
        if command -v semanage >/dev/null; then
            run semanage fcontext -a -t container_file_t "$path(/.*)?" 2>/dev/null ||
                run semanage fcontext -m -t container_file_t "$path(/.*)?"
            run restorecon -R "$path"
        else
            run chcon -R -t container_file_t "$path"
        fi
    done
fi

if $DRY_RUN; then log "dry run done: nothing was changed"; else log "done"; fi
log "next (host/README.md): config.yaml, secrets, the hub's SSH key and known_hosts into $CONFIG_DIR,"
log "the firewall (host/nftables.conf), then the unit into $HOME_DIR/.config/containers/systemd"

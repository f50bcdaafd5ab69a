#!/usr/bin/env bash
# Checks the host artifacts in host/:
#   1. nft -c -f host/nftables.conf (the kernel's own check, as root);
#   2. the rules at work, in two throw-away network namespaces joined by a veth pair with the file's placeholder
#      networks: 443 from outside reaches the proxy on 8000, 8000 and 8081 from outside do not, the cluster network
#      reaches both; loading the file twice leaves one table;
#   3. bash -n host/prepare-host.sh (and shellcheck when installed), a --dry-run that must change nothing, and a
#      real run, twice, in a private mount namespace on a copy of /etc (users, subuids, linger and directories
#      land in throw-away copies): the second run must find everything in place.
#
#   scripts/check-host.sh
#
# nft (package nftables) and root are required when CI=true; otherwise what needs them is skipped with a warning.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/check-lib.sh
TMP=$(mktemp -d)
HUB_NS=slurmhub-check-hub-$$
CLIENT_NS=slurmhub-check-client-$$
cleanup() {
    ip netns del "$HUB_NS" 2>/dev/null || true
    ip netns del "$CLIENT_NS" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

NFT=$(command -v nft || true)
[[ -n $NFT || ! -x /usr/sbin/nft ]] || NFT=/usr/sbin/nft
if [[ -z $NFT ]]; then
    skip "nft not found (install nftables)"
elif ((EUID != 0)); then
    skip "nft -c needs root (CAP_NET_ADMIN: it asks the kernel)"
else
    "$NFT" -c -f host/nftables.conf || die "nft -c rejects host/nftables.conf"
    log "nft -c -f host/nftables.conf: OK"
fi

# connect NS SOURCE DESTINATION PORT: prints what the listener answered, or "refused"/"timeout".
connect() {
    ip netns exec "$1" python3 - "$2" "$3" "$4" <<'PY'
import socket, sys
source, destination, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    with socket.create_connection((destination, port), timeout=2, source_address=(source, 0)) as connection:
        print(connection.recv(64).decode())
except ConnectionRefusedError:
    print("refused")
except OSError:
    print("timeout")
PY
}

if [[ -n $NFT ]] && ((EUID == 0)) && command -v ip >/dev/null && command -v python3 >/dev/null; then
    ip netns add "$HUB_NS"
    ip netns add "$CLIENT_NS"
    ip -n "$HUB_NS" link add eth0 type veth peer name client0 netns "$CLIENT_NS"
    ip -n "$HUB_NS" addr add 198.51.100.1/24 dev eth0     # the outside world (TEST-NET-2)
    ip -n "$HUB_NS" addr add 192.0.2.1/24 dev eth0        # the file's placeholder cluster network
    ip -n "$CLIENT_NS" addr add 198.51.100.2/24 dev client0
    ip -n "$CLIENT_NS" addr add 192.0.2.2/24 dev client0
    for ns in "$HUB_NS" "$CLIENT_NS"; do ip -n "$ns" link set lo up; done
    ip -n "$HUB_NS" link set eth0 up
    ip -n "$CLIENT_NS" link set client0 up
    ip netns exec "$HUB_NS" "$NFT" -f host/nftables.conf
    ip netns exec "$HUB_NS" "$NFT" -f host/nftables.conf
    [[ $(ip netns exec "$HUB_NS" "$NFT" list tables | grep -c 'inet slurmhub') == 1 ]] ||
        die "loading host/nftables.conf twice does not leave exactly one table"
    # Stand-ins for the proxy (8000) and the hub API (8081): they greet with their name.
    ip netns exec "$HUB_NS" python3 - >"$TMP/listeners.log" 2>&1 <<'PY' &
import socket, threading
def serve(port, name):
    server = socket.create_server(("0.0.0.0", port))
    while True:
        connection, _ = server.accept()
        connection.sendall(name.encode())
        connection.close()
for port, name in ((8000, "proxy"), (8081, "hub-api")):
    threading.Thread(target=serve, args=(port, name), daemon=True).start()
threading.Event().wait()
PY
    listeners=$!
    for _ in $(seq 50); do
        [[ $(connect "$HUB_NS" 127.0.0.1 127.0.0.1 8081) == hub-api ]] && break
        sleep 0.1
    done
    failures=0
    expect() {
        local what=$1 source=$2 destination=$3 port=$4 want=$5 got
        got=$(connect "$CLIENT_NS" "$source" "$destination" "$port")
        if [[ $got == "$want" ]]; then
            log "  $what: $got"
        else
            printf 'ERROR: %s: expected %s, got %s\n' "$what" "$want" "$got" >&2
            failures=$((failures + 1))
        fi
    }
    log "the rules at work (hub namespace with eth0; outside 198.51.100.2, cluster 192.0.2.2):"
    expect "outside → 443 (redirected to the proxy)" 198.51.100.2 198.51.100.1 443 proxy
    expect "outside → 8000 (only through 443)" 198.51.100.2 198.51.100.1 8000 timeout
    expect "outside → 8081 (cluster only)" 198.51.100.2 198.51.100.1 8081 timeout
    expect "cluster → 8081" 192.0.2.2 192.0.2.1 8081 hub-api
    expect "cluster → 8000" 192.0.2.2 192.0.2.1 8000 proxy
    kill "$listeners" 2>/dev/null || true
    ((failures == 0)) || die "host/nftables.conf does not do what it says"
    log "host/nftables.conf: redirect and filters work"
else
    skip "the rules at work need root, nft, ip and python3"
fi

bash -n host/prepare-host.sh || die "bash -n rejects host/prepare-host.sh"
if command -v shellcheck >/dev/null; then
    shellcheck host/prepare-host.sh || die "shellcheck host/prepare-host.sh"
    log "shellcheck host/prepare-host.sh: OK"
fi
log "bash -n host/prepare-host.sh: OK"

user=slurmhub-check$$
args=(--user "$user" --home "$TMP/home/$user" --config-dir "$TMP/etc-slurmhub" --data-dir "$TMP/data")
host/prepare-host.sh --dry-run "${args[@]}" >"$TMP/dry-run.log" 2>&1 ||
    { cat "$TMP/dry-run.log"; die "prepare-host.sh --dry-run failed"; }
for action in "+ useradd " "+ usermod --add-subuids " "+ usermod --add-subgids " "linger" \
              "+ install -d -o root -g $user -m 0750 $TMP/etc-slurmhub" \
              "+ install -d -o $user -g $user -m 0700 $TMP/etc-slurmhub/ssh" \
              "+ install -d -o $user -g $user -m 0700 $TMP/data"; do
    grep -qF -- "$action" "$TMP/dry-run.log" || { cat "$TMP/dry-run.log"; die "the dry run does not show '$action'"; }
done
! id -u "$user" >/dev/null 2>&1 && [[ ! -e $TMP/etc-slurmhub && ! -e $TMP/data ]] ||
    die "prepare-host.sh --dry-run changed something"
log "prepare-host.sh --dry-run: every action shown, nothing changed"

if ((EUID == 0)) && command -v unshare >/dev/null && [[ -d /var/lib/systemd ]]; then
    mkdir -p "$TMP/root/etc" "$TMP/root/var-lib-systemd" "$TMP/home"
    cp -a /etc/. "$TMP/root/etc/"
    # shellcheck disable=SC2016  # expanded by the inner shell
    unshare --mount --propagation private bash -euo pipefail -c '
        tmp=$1; user=$2; shift 2
        mount --bind "$tmp/root/etc" /etc
        mount --bind "$tmp/root/var-lib-systemd" /var/lib/systemd
        host/prepare-host.sh "$@" >"$tmp/first.log" 2>&1 || { cat "$tmp/first.log"; exit 1; }
        host/prepare-host.sh "$@" >"$tmp/second.log" 2>&1 || { cat "$tmp/second.log"; exit 1; }
        id "$user" >/dev/null
        grep -q "^$user:" /etc/subuid && grep -q "^$user:" /etc/subgid
        [[ -e /var/lib/systemd/linger/$user ]]
        [[ $(stat -c "%U:%G %a" "$tmp/etc-slurmhub") == "root:$user 750" ]]
        [[ $(stat -c "%U:%G %a" "$tmp/etc-slurmhub/ssh") == "$user:$user 700" ]]
        [[ $(stat -c "%U:%G %a" "$tmp/data") == "$user:$user 700" ]]
        [[ -d $tmp/home/$user/.config/containers/systemd ]]
        if grep "^+ " "$tmp/second.log"; then echo "the second run changed something" >&2; exit 1; fi
    ' _ "$TMP" "$user" "${args[@]}" || die "prepare-host.sh in a private mount namespace (logs above)"
    ! id -u "$user" >/dev/null 2>&1 || die "the private run leaked user $user into the real /etc"
    log "prepare-host.sh, run twice on a copy of /etc: account, subuids, linger, directories; the second run changed nothing"
else
    skip "the real run of prepare-host.sh needs root and unshare"
fi
log "host checks passed"

#!/usr/bin/env bash
# Makes the base images of container/Containerfile locally, without a container registry, as root:
#
#   localhost/slurmhub-base/debian:bookworm-slim   Debian 12 minbase (debootstrap), slimmed like debian:bookworm-slim
#                                                  (no docs, man pages, locales or apt lists): RUNTIME_BASE
#   localhost/slurmhub-base/swift-build:bookworm   the same plus the packages the build stage needs (the
#                                                  Containerfile's BUILD_PACKAGES): BUILD_BASE, used with the Swift
#                                                  toolchain mounted from the host (scripts/build-image.sh)
#
# Both are imported into the rootless podman store of an operator account (created when missing, with its own
# subordinate uid/gid range). Usage:
#
#   scripts/make-base-images.sh [--user NAME] [--force] [--refresh] [--cache-dir DIR] [--mirror URL]
#
#   --user NAME      operator account whose podman store gets the images (default hubop)
#   --force          make the images again even when they exist (picks up Debian updates)
#   --refresh        also run debootstrap again instead of reusing the cached tree (implies --force)
#   --cache-dir DIR  where the debootstrap tree is kept between runs (default /var/cache/slurmhub-base)
#   --mirror URL     Debian mirror (default http://deb.debian.org/debian)
#
# Idempotent: when both images exist it changes nothing. Needs debootstrap (installed with apt when missing),
# podman, newuidmap/newgidmap (uidmap) and network access to the mirror.
set -euo pipefail

OPERATOR=hubop
FORCE=false
REFRESH=false
CACHE_DIR=/var/cache/slurmhub-base
MIRROR=http://deb.debian.org/debian
SUITE=bookworm
SLIM_IMAGE=localhost/slurmhub-base/debian:bookworm-slim
BUILD_IMAGE=localhost/slurmhub-base/swift-build:bookworm
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONTAINERFILE=$REPO/container/Containerfile

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'make-base-images: error: %s\n' "$*" >&2; exit 1; }

while (($#)); do
    case $1 in
        --user) OPERATOR=${2:?--user needs a name}; shift 2 ;;
        --force) FORCE=true; shift ;;
        --refresh) REFRESH=true; FORCE=true; shift ;;
        --cache-dir) CACHE_DIR=${2:?--cache-dir needs a directory}; shift 2 ;;
        --mirror) MIRROR=${2:?--mirror needs a URL}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done

((EUID == 0)) || die "run as root (debootstrap, chroot and the operator account need it)"
command -v podman >/dev/null || die "podman is not installed (apt-get install podman)"
command -v newuidmap >/dev/null || die "newuidmap is missing (apt-get install uidmap)"

# --- the operator account and how podman runs as it ------------------------------------------------------

# The first subordinate id after every range in /etc/subuid and /etc/subgid, at least 100000.
next_subid() {
    cat /etc/subuid /etc/subgid 2>/dev/null |
        awk -F: 'BEGIN { next_id = 100000 } NF >= 3 && $2 + $3 > next_id { next_id = $2 + $3 } END { print next_id }'
}

ensure_operator() {
    if ! id -u "$OPERATOR" >/dev/null 2>&1; then
        log "creating the podman operator account $OPERATOR (home /home/$OPERATOR)"
        useradd --create-home --home-dir "/home/$OPERATOR" --shell /usr/sbin/nologin \
            --comment "slurmhub image builds (rootless podman)" "$OPERATOR"
    fi
    if ! grep -q "^$OPERATOR:" /etc/subuid 2>/dev/null || ! grep -q "^$OPERATOR:" /etc/subgid 2>/dev/null; then
        local first
        first=$(next_subid)
        log "giving $OPERATOR the subordinate uids and gids $first-$((first + 65535))"
        grep -q "^$OPERATOR:" /etc/subuid 2>/dev/null || usermod --add-subuids "$first-$((first + 65535))" "$OPERATOR"
        grep -q "^$OPERATOR:" /etc/subgid 2>/dev/null || usermod --add-subgids "$first-$((first + 65535))" "$OPERATOR"
    fi
    OPERATOR_UID=$(id -u "$OPERATOR")
    OPERATOR_HOME=$(getent passwd "$OPERATOR" | cut -d: -f6)
    [[ -d $OPERATOR_HOME ]] || die "$OPERATOR's home $OPERATOR_HOME does not exist"
    # Rootless podman keeps its runtime state in XDG_RUNTIME_DIR; without a login session there is none.
    if [[ -d /run/user/$OPERATOR_UID && $(stat -c %u "/run/user/$OPERATOR_UID") == "$OPERATOR_UID" ]]; then
        OPERATOR_RUNTIME_DIR=/run/user/$OPERATOR_UID
    else
        OPERATOR_RUNTIME_DIR=/tmp/xdg-$OPERATOR
        [[ -L $OPERATOR_RUNTIME_DIR ]] && die "$OPERATOR_RUNTIME_DIR is a symlink"
        install -d -m 0700 -o "$OPERATOR" -g "$(id -g "$OPERATOR")" "$OPERATOR_RUNTIME_DIR"
        [[ $(stat -c %u "$OPERATOR_RUNTIME_DIR") == "$OPERATOR_UID" ]] || die "$OPERATOR_RUNTIME_DIR is not $OPERATOR's"
    fi
}

# podman as the operator: runc (crun cannot run here), cgroupfs (no systemd user session), file events.
operator_podman() {
    (cd / && runuser -u "$OPERATOR" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$OPERATOR_HOME" \
        USER="$OPERATOR" LOGNAME="$OPERATOR" XDG_RUNTIME_DIR="$OPERATOR_RUNTIME_DIR" \
        podman --runtime runc --cgroup-manager cgroupfs --events-backend file "$@")
}

ensure_operator

if ! $FORCE && operator_podman image exists "$SLIM_IMAGE" && operator_podman image exists "$BUILD_IMAGE"; then
    log "$SLIM_IMAGE and $BUILD_IMAGE exist in $OPERATOR's store: nothing to do (--force makes them again)"
    exit 0
fi

# --- the package list of the build stage, from the Containerfile (one source of truth) -------------------

[[ -r $CONTAINERFILE ]] || die "$CONTAINERFILE not found"
# ARG BUILD_PACKAGES="a b \
#     c d"  (continuation lines joined)
BUILD_PACKAGES=$(sed -e ':join' -e '/\\$/{N; s/\\\n//; b join' -e '}' "$CONTAINERFILE" |
    sed -n 's/^ARG BUILD_PACKAGES="\([^"]*\)".*/\1/p' | tr -s ' \t' ' ')
[[ -n ${BUILD_PACKAGES// /} ]] || die "no ARG BUILD_PACKAGES=\"...\" line in $CONTAINERFILE"

# --- debootstrap, cached ---------------------------------------------------------------------------------

if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null ||
        { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null; }
fi

mkdir -p "$CACHE_DIR"
chmod 0700 "$CACHE_DIR"
MINBASE=$CACHE_DIR/$SUITE-minbase
if $REFRESH || [[ ! -f $MINBASE/.complete ]]; then
    rm -rf "$MINBASE" "$MINBASE.partial"
    log "debootstrap --variant=minbase $SUITE from $MIRROR into $MINBASE (cached for later runs)"
    start=$SECONDS
    debootstrap --variant=minbase --components=main "$SUITE" "$MINBASE.partial" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
        die "debootstrap failed, see $CACHE_DIR/debootstrap.log"
    touch "$MINBASE.partial/.complete"
    mv "$MINBASE.partial" "$MINBASE"
    log "debootstrap took $((SECONDS - start)) s"
else
    log "reusing the debootstrap tree $MINBASE (--refresh makes it again)"
fi

WORK=$CACHE_DIR/work
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# Runs a shell command in a tree with /proc, /dev and the host's DNS; the mounts live in a private mount
# namespace and vanish with it. Its output goes to $CACHE_DIR/apt.log, shown when it fails.
in_tree() {
    local root=$1 command=$2
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
    # shellcheck disable=SC2016 # $1 and $2 belong to the inner shell
    if ! unshare --mount --propagation private -- /bin/sh -ec '
        mount -t proc proc "$1/proc"
        mount --rbind /dev "$1/dev"
        exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
            DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true /bin/sh -ec "$2"
    ' in_tree "$root" "$command" >"$CACHE_DIR/apt.log" 2>&1; then
        tail -n 30 "$CACHE_DIR/apt.log" >&2
        die "failed in $root: $command (log: $CACHE_DIR/apt.log)"
    fi
}

# What debian:bookworm-slim leaves out, and what it leaves behind after apt runs.
slim_down() {
    local root=$1
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
        "$root"/var/lib/dpkg/*-old "$root"/var/cache/ldconfig/aux-cache "$root"/tmp/* "$root"/var/tmp/* \
        "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/* \
        "$root"/usr/share/linda/* "$root"/root/.bash_history "$root"/etc/resolv.conf "$root"/.complete
    find "$root"/usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
    find "$root"/usr/share/doc -mindepth 1 -type d -empty -delete
    find "$root"/usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
    find "$root"/var/log -type f -exec truncate -s 0 {} +
    # A fresh machine id at first boot, no host name of the build machine.
    : >"$root/etc/machine-id"
    rm -f "$root/var/lib/dbus/machine-id"
    printf 'localhost\n' >"$root/etc/hostname"
}

# Imports a tree into the operator's store (the tar goes through a pipe: the operator cannot read the cache).
import_tree() {
    local root=$1 image=$2 description=$3
    local previous
    previous=$(operator_podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
    log "importing $image into $OPERATOR's store"
    tar --numeric-owner --one-file-system -C "$root" \
        --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* -cf - . |
        operator_podman import --quiet \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["bash"]' \
            --change "LABEL org.opencontainers.image.description=\"$description\"" \
            --change "LABEL org.opencontainers.image.created=\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"" \
            --message "scripts/make-base-images.sh" - "$image" >/dev/null
    printf '    %s: %s MB\n' "$image" "$(operator_podman history --format json "$image" |
        grep -o '"size": *[0-9]*' | awk -F: '{ s += $2 } END { printf "%.1f", s / 1000000 }')" >&2
    # The image it replaces, now untagged (kept while a container or another image still uses it).
    if [[ -n $previous && $previous != "$(operator_podman image inspect --format '{{.Id}}' "$image")" ]]; then
        operator_podman image rm "$previous" >/dev/null 2>&1 || true
    fi
}

# --- the slim image ----------------------------------------------------------------------------------------

rm -rf "$WORK"
mkdir -p "$WORK"
SLIM=$WORK/slim
log "copying the tree and slimming it"
cp -a "$MINBASE" "$SLIM"

# The same suites as the official image (updates and security fixes come with apt-get upgrade below).
rm -f "$SLIM/etc/apt/sources.list"
cat >"$SLIM/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# dpkg leaves documentation, manuals and translations out of every later installation too.
cat >"$SLIM/etc/dpkg/dpkg.cfg.d/slurmhub-slim" <<'EOF'
# Container image: no documentation, manuals or translations (copyright files stay).
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
# apt keeps no downloaded packages and no binary caches, and fetches no translations.
cat >"$SLIM/etc/apt/apt.conf.d/slurmhub-slim" <<'EOF'
// Container image: apt leaves no package files or caches behind and fetches no translations.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Acquire::CompressionTypes::Order:: "gz";
APT::AutoRemove::SuggestsImportant "false";
EOF
# No services start inside an image build.
printf '#!/bin/sh\nexit 101\n' >"$SLIM/usr/sbin/policy-rc.d"
chmod 0755 "$SLIM/usr/sbin/policy-rc.d"

log "apt-get upgrade in the slim tree ($SUITE, $SUITE-updates, $SUITE-security)"
in_tree "$SLIM" 'apt-get update -q; apt-get upgrade -y -q; apt-get clean'
slim_down "$SLIM"

# --- the build image: the slim tree plus the build stage's packages ------------------------------------------

BUILD=$WORK/build
cp -a "$SLIM" "$BUILD"
log "installing the build packages: $BUILD_PACKAGES"
in_tree "$BUILD" "apt-get update -q; apt-get install -y -q --no-install-recommends $BUILD_PACKAGES; apt-get clean"
slim_down "$BUILD"

# Replace an existing image only once both trees are ready.
import_tree "$SLIM" "$SLIM_IMAGE" "Debian $SUITE minbase (debootstrap), slimmed: made by slurmhub scripts/make-base-images.sh"
import_tree "$BUILD" "$BUILD_IMAGE" "Debian $SUITE slim with the slurmhub build packages: made by slurmhub scripts/make-base-images.sh"
log "done: $SLIM_IMAGE, $BUILD_IMAGE"

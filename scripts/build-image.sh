#!/usr/bin/env bash
# Builds the slurmhub container image (container/Containerfile) with rootless podman, as root, offline: base
# images made locally (scripts/make-base-images.sh), the host's Swift toolchain and SwiftPM mirror mounted into
# the build stage, the image stored in an operator account's podman store. Usage:
#
#   scripts/build-image.sh [--tag IMAGE] [--user NAME] [--git-ref REF] [--toolchain DIR] [--mirror DIR]
#                          [--build-base IMAGE --runtime-base IMAGE] [--no-cache]
#
#   --tag IMAGE           image to build (default localhost/slurmhub:latest)
#   --user NAME           operator account that runs podman and keeps the image (default hubop; created with
#                         its own subordinate uid/gid range when missing)
#   --git-ref REF         build a committed revision (git archive REF) instead of the working tree
#   --toolchain DIR       Swift toolchain (DIR/usr/bin/swift) mounted read-only at /opt/swift, where the
#                         build stage looks first (default /opt/swift when it exists; none: BUILD_BASE's swift)
#   --mirror DIR          local SwiftPM mirror of github.com (OWNER/NAME.git), mounted read-only (default: the
#                         directory git's system config substitutes for https://github.com/, if any)
#   --build-base IMAGE    build stage base (default localhost/slurmhub-base/swift-build:bookworm)
#   --runtime-base IMAGE  runtime stage base (default localhost/slurmhub-base/debian:bookworm-slim)
#   --no-cache            rebuild every layer (SwiftPM's build cache mount is kept: it only saves compile time)
#
# The base images are made unless both --build-base and --runtime-base name other images. Prints the build time and, last, one line
# `image TAG: SIZE MB (target < 150 MB)`. Exits non-zero when the build fails.
set -euo pipefail

TAG=localhost/slurmhub:latest
OPERATOR=hubop
GIT_REF=""
TOOLCHAIN=auto
MIRROR=auto
NO_CACHE=()
DEFAULT_BUILD_BASE=localhost/slurmhub-base/swift-build:bookworm
DEFAULT_RUNTIME_BASE=localhost/slurmhub-base/debian:bookworm-slim
BUILD_BASE=$DEFAULT_BUILD_BASE
RUNTIME_BASE=$DEFAULT_RUNTIME_BASE
TARGET_MB=150
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build-image: error: %s\n' "$*" >&2; exit 1; }

while (($#)); do
    case $1 in
        --tag) TAG=${2:?--tag needs an image name}; shift 2 ;;
        --user) OPERATOR=${2:?--user needs a name}; shift 2 ;;
        --git-ref) GIT_REF=${2:?--git-ref needs a revision}; shift 2 ;;
        --toolchain) TOOLCHAIN=${2:?--toolchain needs a directory (or none)}; shift 2 ;;
        --mirror) MIRROR=${2:?--mirror needs a directory (or none)}; shift 2 ;;
        --build-base) BUILD_BASE=${2:?--build-base needs an image}; shift 2 ;;
        --runtime-base) RUNTIME_BASE=${2:?--runtime-base needs an image}; shift 2 ;;
        --no-cache) NO_CACHE=(--no-cache); shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done

((EUID == 0)) || die "run as root (it prepares the operator account and the base images)"
command -v podman >/dev/null || die "podman is not installed"
if ! command -v runc >/dev/null; then
    log "installing runc (crun cannot run containers on this host)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends runc >/dev/null ||
        die "apt-get install runc failed"
fi

# --- the operator account (scripts/make-base-images.sh creates it when it makes the base images) ----------

next_subid() {
    cat /etc/subuid /etc/subgid 2>/dev/null |
        awk -F: 'BEGIN { next_id = 100000 } NF >= 3 && $2 + $3 > next_id { next_id = $2 + $3 } END { print next_id }'
}
if ! id -u "$OPERATOR" >/dev/null 2>&1; then
    log "creating the podman operator account $OPERATOR (home /home/$OPERATOR)"
    useradd --create-home --home-dir "/home/$OPERATOR" --shell /usr/sbin/nologin \
        --comment "slurmhub image builds (rootless podman)" "$OPERATOR"
fi
if ! grep -q "^$OPERATOR:" /etc/subuid || ! grep -q "^$OPERATOR:" /etc/subgid; then
    first=$(next_subid)
    log "giving $OPERATOR the subordinate uids and gids $first-$((first + 65535))"
    grep -q "^$OPERATOR:" /etc/subuid || usermod --add-subuids "$first-$((first + 65535))" "$OPERATOR"
    grep -q "^$OPERATOR:" /etc/subgid || usermod --add-subgids "$first-$((first + 65535))" "$OPERATOR"
fi
OPERATOR_UID=$(id -u "$OPERATOR")
OPERATOR_GID=$(id -g "$OPERATOR")
OPERATOR_HOME=$(getent passwd "$OPERATOR" | cut -d: -f6)
if [[ -d /run/user/$OPERATOR_UID && $(stat -c %u "/run/user/$OPERATOR_UID") == "$OPERATOR_UID" ]]; then
    OPERATOR_RUNTIME_DIR=/run/user/$OPERATOR_UID
else
    OPERATOR_RUNTIME_DIR=/tmp/xdg-$OPERATOR
    [[ -L $OPERATOR_RUNTIME_DIR ]] && die "$OPERATOR_RUNTIME_DIR is a symlink"
    install -d -m 0700 -o "$OPERATOR_UID" -g "$OPERATOR_GID" "$OPERATOR_RUNTIME_DIR"
    [[ $(stat -c %u "$OPERATOR_RUNTIME_DIR") == "$OPERATOR_UID" ]] || die "$OPERATOR_RUNTIME_DIR is not $OPERATOR's"
fi

# podman as the operator: runc (crun fails on this host's hybrid cgroups), cgroupfs (no systemd user
# session), events in a file.
operator_podman() {
    (cd / && runuser -u "$OPERATOR" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$OPERATOR_HOME" \
        USER="$OPERATOR" LOGNAME="$OPERATOR" XDG_RUNTIME_DIR="$OPERATOR_RUNTIME_DIR" \
        podman --runtime runc --cgroup-manager cgroupfs --events-backend file "$@")
}

# --- base images ---------------------------------------------------------------------------------------------

if [[ $BUILD_BASE == "$DEFAULT_BUILD_BASE" || $RUNTIME_BASE == "$DEFAULT_RUNTIME_BASE" ]]; then
    "$REPO/scripts/make-base-images.sh" --user "$OPERATOR"
fi

# --- toolchain and package mirror ----------------------------------------------------------------------------

build_args=()
if [[ $TOOLCHAIN == auto ]]; then
    TOOLCHAIN=none
    [[ -x /opt/swift/usr/bin/swift ]] && TOOLCHAIN=/opt/swift
fi
if [[ $TOOLCHAIN != none ]]; then
    [[ -x $TOOLCHAIN/usr/bin/swift ]] || die "no $TOOLCHAIN/usr/bin/swift"
    build_args+=(--volume "$TOOLCHAIN:/opt/swift:ro")
    log "toolchain: $("$TOOLCHAIN/usr/bin/swift" --version 2>/dev/null | head -n 1) from $TOOLCHAIN (mounted, not copied)"
fi
if [[ $MIRROR == auto ]]; then
    MIRROR=none
    # url.<BASE>.insteadOf = https://github.com/ in the system git config: <BASE> is the mirror.
    while read -r key value; do
        if [[ $value == https://github.com/ && $key =~ ^url\.(.+)\.insteadof$ ]]; then
            candidate=${BASH_REMATCH[1]}
            [[ -d $candidate ]] && MIRROR=$candidate
        fi
    done < <(git config --system --get-regexp '^url\..*\.insteadof$' 2>/dev/null || true)
fi
if [[ $MIRROR != none ]]; then
    [[ -d $MIRROR ]] || die "mirror $MIRROR is not a directory"
    MIRROR=${MIRROR%/}/
    build_args+=(--volume "${MIRROR%/}:${MIRROR%/}:ro" --build-arg "SWIFTPM_GIT_MIRROR=$MIRROR")
    log "packages: from the mirror $MIRROR (mounted) instead of https://github.com/"
fi

# --- build context: a copy the operator can read ----------------------------------------------------------

CONTEXT=$(mktemp -d /var/tmp/slurmhub-image.XXXXXX)
trap 'rm -rf "$CONTEXT"' EXIT
REVISION=""
if [[ -n $GIT_REF ]]; then
    REVISION=$(git -C "$REPO" rev-parse --verify "$GIT_REF^{commit}") || die "unknown revision $GIT_REF"
    log "context: $GIT_REF ($REVISION) via git archive"
    git -C "$REPO" archive --format=tar "$REVISION" | tar -C "$CONTEXT" -xf -
    # The Containerfile, .containerignore and config of the working tree build the committed sources.
    cp -a "$REPO/container" "$CONTEXT/"
    cp "$REPO/.containerignore" "$CONTEXT/"
elif git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    REVISION=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || true)
    [[ -z $(git -C "$REPO" status --porcelain 2>/dev/null) ]] || REVISION="$REVISION-dirty"
    log "context: the working tree (tracked and untracked files that git does not ignore)"
    (cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' file; do [[ -e $file || -L $file ]] && printf '%s\0' "$file"; done |
        tar --null --files-from=- -cf - | tar -C "$CONTEXT" -xf -)
else
    log "context: $REPO without .containerignore's entries"
    tar -C "$REPO" --exclude-from="$REPO/.containerignore" -cf - . | tar -C "$CONTEXT" -xf -
fi
# Package.resolved is ignored by git but pins the dependency versions the tests ran with.
if [[ -f $REPO/Package.resolved && ! -f $CONTEXT/Package.resolved ]]; then
    cp "$REPO/Package.resolved" "$CONTEXT/"
fi
chown -R "$OPERATOR_UID:$OPERATOR_GID" "$CONTEXT"
chmod 0755 "$CONTEXT"
log "context: $(du -sh "$CONTEXT" | cut -f1) in $CONTEXT"

source_url=$(git -C "$REPO" remote get-url origin 2>/dev/null || true)
[[ $source_url == http* ]] || source_url=""

# --- build ---------------------------------------------------------------------------------------------------

previous=$(operator_podman image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)
log "podman build $TAG (as $OPERATOR; BUILD_BASE=$BUILD_BASE RUNTIME_BASE=$RUNTIME_BASE)"
start=$(date +%s)
status=0
operator_podman build \
    --network host \
    --format docker \
    --layers \
    "${NO_CACHE[@]}" \
    --build-arg "BUILD_BASE=$BUILD_BASE" \
    --build-arg "RUNTIME_BASE=$RUNTIME_BASE" \
    --build-arg "REVISION=$REVISION" \
    --build-arg "SOURCE_URL=$source_url" \
    "${build_args[@]}" \
    --file "$CONTEXT/container/Containerfile" \
    --tag "$TAG" \
    "$CONTEXT" || status=$?
elapsed=$(($(date +%s) - start))
log "podman build took $((elapsed / 60)) min $((elapsed % 60)) s (exit status $status)"
((status == 0)) || die "podman build failed"

# The previous image of this tag, now untagged (kept while something still uses it).
if [[ -n $previous && $previous != "$(operator_podman image inspect --format '{{.Id}}' "$TAG")" ]]; then
    operator_podman image rm "$previous" >/dev/null 2>&1 || true
fi

# The sum of the image's layers. (podman 4.3's `image inspect --format {{.Size}}` counts a layer once more
# for every other image holding an identical one, e.g. earlier builds of unchanged files.)
size=$(operator_podman history --format json "$TAG" | grep -o '"size": *[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }')
size_mb=$(awk -v bytes="$size" 'BEGIN { printf "%.1f", bytes / 1000000 }')
if awk -v mb="$size_mb" -v target="$TARGET_MB" 'BEGIN { exit !(mb >= target) }'; then
    log "warning: $TAG is over the $TARGET_MB MB target (podman history $TAG shows the layers)"
fi
# Always the last line.
echo "image $TAG: $size_mb MB (target < $TARGET_MB MB)"

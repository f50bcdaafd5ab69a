#!/bin/sh
# Assembles the runtime image's file system in /rootfs (used by container/Containerfile's `runtime-files` stage,
# run as root in a Debian 12 image where the runtime packages are installed and the binary is at
# /usr/local/bin/slurmhub). It takes only what the hub uses:
#
#   - /usr/local/bin (slurmhub and its *.resources bundles) and /usr/share/slurmhub
#   - the shared libraries `ldd` finds for the binary, with their symlinks (the dynamic loader included)
#   - /bin/sh (dash: `podman --health-cmd` runs a command given as a string through it), nothing else to run
#   - CA certificates (/etc/ssl, /usr/share/ca-certificates, /usr/lib/ssl), time zones (tzdata), C.UTF-8
#   - /etc/passwd, /etc/group (root, slurmhub 10001, system users), nsswitch.conf, os-release
#   - the dpkg status and copyright files of the packages these files come from (for scanners and licences)
#   - empty /etc/slurmhub, /var/lib/slurmhub (0700, uid 10001), /tmp and /var/tmp (1777)
#
# Last, it checks in the new root (chroot) that the loader finds every library and that the shell starts.
# No package manager, no coreutils, no curl, no ssh client.
set -eu

ROOTFS=/rootfs
BINARY=/usr/local/bin/slurmhub
PACKAGES_FILE=$(mktemp)

rm -rf "$ROOTFS"
mkdir -p "$ROOTFS"

# The merged-/usr symlinks (/bin -> usr/bin, /lib -> usr/lib, ...) as the base has them.
for top in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$top" ]; then cp -a "/$top" "$ROOTFS/"; fi
done

# The package a path comes from (dpkg records some files under /lib, some under /usr/lib).
note_owner() {
    for candidate in "$1" "${1#/usr}" "/usr$1"; do
        owner=$(dpkg-query -S "$candidate" 2>/dev/null | sed -n '1s/: .*//p')
        if [ -n "$owner" ]; then
            echo "$owner" >>"$PACKAGES_FILE"
            return 0
        fi
    done
}

# Copies a path into the root (its directory resolved, so /lib/x and /usr/lib/x land in one place) and, for a
# symlink, every link of its chain and the final file.
copy_path() {
    path=$1
    while :; do
        directory=$(cd "$(dirname "$path")" && pwd -P)
        physical=$directory/$(basename "$path")
        if [ ! -e "$ROOTFS$physical" ] && [ ! -L "$ROOTFS$physical" ]; then
            mkdir -p "$ROOTFS$directory"
            cp -a "$physical" "$ROOTFS$physical"
            note_owner "$physical"
        fi
        [ -L "$physical" ] || break
        target=$(readlink "$physical")
        case $target in
            /*) path=$target ;;
            *) path=$directory/$target ;;
        esac
    done
}

# Copies a directory tree as it is.
copy_tree() {
    [ -d "$1" ] || return 0
    mkdir -p "$ROOTFS$(dirname "$1")"
    cp -a "$1" "$ROOTFS$1"
}

# The binary's shared libraries, and dash's.
libraries() {
    if ldd "$1" | grep 'not found'; then
        echo "rootfs.sh: $1 needs a library that is not installed" >&2
        exit 1
    fi
    ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}
for library in $(libraries "$BINARY") $(libraries /usr/bin/dash); do
    copy_path "$library"
done

# The hub, its bundles and the files for sites.
copy_tree /usr/local/bin
copy_tree /usr/share/slurmhub

# /bin/sh is dash, and nothing else to run.
copy_path /usr/bin/dash
ln -s dash "$ROOTFS/usr/bin/sh"

# Users and name resolution.
mkdir -p "$ROOTFS/etc"
for file in /etc/passwd /etc/group /etc/nsswitch.conf /etc/host.conf /etc/debian_version /etc/os-release; do
    if [ -e "$file" ]; then copy_path "$file"; fi
done

# CA certificates (the generated bundle and the hashed links) and OpenSSL's default directory.
copy_tree /etc/ssl
copy_tree /usr/share/ca-certificates
copy_tree /usr/lib/ssl
note_owner /usr/sbin/update-ca-certificates

# Time zones, and the C.UTF-8 locale.
copy_tree /usr/share/zoneinfo
note_owner /usr/share/zoneinfo/UTC
for file in /etc/localtime /etc/timezone; do
    if [ -e "$file" ] || [ -L "$file" ]; then copy_path "$file"; fi
done
copy_tree /usr/lib/locale/C.utf8

# Where the configuration is mounted, the data volume, scratch space and mount points.
install -d -m 0755 "$ROOTFS/etc/slurmhub" "$ROOTFS/run" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" "$ROOTFS/root"
install -d -m 0700 -o 10001 -g 10001 "$ROOTFS/var/lib/slurmhub"
install -d -m 1777 "$ROOTFS/tmp" "$ROOTFS/var/tmp"
chmod 0700 "$ROOTFS/root"

# What the image contains, in dpkg's format, and the packages' copyright files.
mkdir -p "$ROOTFS/var/lib/dpkg"
: >"$ROOTFS/var/lib/dpkg/status"
# shellcheck disable=SC2013 # one package name per line, no spaces
for package in $(sort -u "$PACKAGES_FILE"); do
    dpkg-query -s "$package" >>"$ROOTFS/var/lib/dpkg/status"
    echo >>"$ROOTFS/var/lib/dpkg/status"
    name=${package%%:*}
    if [ -f "/usr/share/doc/$name/copyright" ]; then
        mkdir -p "$ROOTFS/usr/share/doc/$name"
        cp -a "/usr/share/doc/$name/copyright" "$ROOTFS/usr/share/doc/$name/copyright"
    fi
done
echo "packages: $(sort -u "$PACKAGES_FILE" | sed 's/:.*//' | tr '\n' ' ')"
rm -f "$PACKAGES_FILE"

# The dynamic loader finds every library of the binary in the new root, and the shell starts there. (Not
# `slurmhub version` in a chroot: the Swift runtime reads the arguments from /proc, which is not mounted.)
loader=$(ldd "$BINARY" | awk '$1 ~ /^\/.*ld-linux/ { print $1 }')
if ! chroot "$ROOTFS" "$loader" --list /usr/local/bin/slurmhub >/dev/null; then
    echo "rootfs.sh: a library of the binary is missing from $ROOTFS" >&2
    exit 1
fi
chroot "$ROOTFS" /bin/sh -c 'exit 0'
du -sh "$ROOTFS"

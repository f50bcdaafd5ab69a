# Shared by the scripts/check-*.sh artifact checks: messages, and the rule that a check which cannot
# run is a warning locally but an error under CI=true.
log() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
# skip REASON: skip a check (or fail under CI=true).
skip() {
    if [[ ${CI:-} == true ]]; then die "$1; CI=true requires every check"; fi
    printf 'WARNING: %s: check skipped\n' "$1" >&2
}
# missing TOOL PACKAGE: TOOL is not installed.
missing() { skip "$1 not found (install $2)"; }
# check_drift GENERATED_DIR COMMITTED_DIR FILE...: fails when a committed artifact differs from a fresh generation.
check_drift() {
    local generated=$1 committed=$2 file drift=0
    shift 2
    for file in "$@"; do
        if ! diff -u "$committed/$file" "$generated/$file"; then drift=1; fi
    done
    return $drift
}

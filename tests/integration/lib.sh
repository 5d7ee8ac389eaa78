# SPDX-License-Identifier: MIT
# TAP helpers for the integration tests. Sourced by t-*.sh, which run the built
# binary as an unprivileged user (tests/run-all.sh arranges that).
#   COCOON  path to the cocoon binary        BWRAP_SYMLINK  a symlink to it named bwrap
#   PROBE   path to tests/helpers/probe     SYSTEM_BWRAP   Debian's bwrap, if installed
set -u
: "${COCOON:?COCOON must point at the cocoon binary}"
: "${PROBE:?PROBE must point at the probe helper}"

tap_n=0
tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }

# The sandbox most tests need: the host's /usr read-only, usr-merged symlinks,
# a fresh /proc and /dev.
ROOT=(--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64
      --symlink usr/sbin /sbin --ro-bind "$(dirname "$PROBE")" /probe --proc /proc --dev /dev)
IN_PROBE=/probe/$(basename "$PROBE")

# run CMD...: captures stdout in $out, stderr in $err, the status in $rc.
run() {
    local o e
    o=$(mktemp) e=$(mktemp)
    "$@" >"$o" 2>"$e"
    rc=$?
    out=$(cat "$o") err=$(cat "$e")
    rm -f "$o" "$e"
}

# check DESCRIPTION EXPECTED ACTUAL
check() {
    if [ "$2" == "$3" ]; then
        ok "$1"
    else
        not_ok "$1"
        diag "expected: $2" "actual:   $3" "stderr:   ${err:-}"
    fi
}

# check_match DESCRIPTION REGEX ACTUAL
check_match() {
    if [[ "$3" =~ $2 ]]; then
        ok "$1"
    else
        not_ok "$1"
        diag "expected to match: $2" "actual: $3" "stderr: ${err:-}"
    fi
}

# User namespaces must work here unless the caller says they may not.
require_userns() {
    if ! unshare -Ur true 2>/dev/null; then
        if [ "${COCOON_MUST_WORK:-0}" = 1 ]; then
            echo "Bail out! unprivileged user namespaces do not work, but COCOON_MUST_WORK=1"
            exit 1
        fi
        echo "1..0 # SKIP unprivileged user namespaces are not available"
        exit 0
    fi
}

# Debian's bwrap must be installed for differential tests (it is, in CI).
require_system_bwrap() {
    if [ -z "${SYSTEM_BWRAP:-}" ] || [ ! -x "$SYSTEM_BWRAP" ]; then
        if [ "${COCOON_MUST_WORK:-0}" = 1 ]; then
            echo "Bail out! Debian's bwrap is not installed (apt-get install bubblewrap)"
            exit 1
        fi
        echo "1..0 # SKIP Debian's bwrap is not installed"
        exit 0
    fi
}

# No process of this user whose command line contains MARKER may remain.
no_process_left() {
    local marker=$1 left
    left=$(pgrep -u "$(id -u)" -f -- "$marker" || true)
    [ -z "$left" ]
}

#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs the whole test suite: unit tests, lint, and the integration tests as an
# unprivileged user (created with /etc/subuid and /etc/subgid entries when run as
# root). The last line is "N passed, N failed", counting test cases.
#   bash tests/run-all.sh                 everything
#   bash tests/run-all.sh pid1 security   only the integration scripts t-pid1.sh and t-security.sh
set -u
only=("$@")
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${COCOON_BUILD:-$src/build}
test_user=${COCOON_TEST_USER:-cocoon-test}

if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$src" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
if ! ninja -C "$build" >/dev/null; then
    ninja -C "$build"
    echo "0 passed, 1 failed"
    exit 1
fi

passed=0 failed=0 skipped=0
count_tap() {  # reads TAP on stdin, echoes it, and counts
    local line plan_seen=0
    while IFS= read -r line; do
        echo "$line"
        case "$line" in
            "ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
            "ok "*) passed=$((passed + 1)) ;;
            "not ok "*) failed=$((failed + 1)) ;;
            "Bail out!"*) failed=$((failed + 1)) ;;
            1..*) plan_seen=1 ;;
        esac
    done
    [ "$plan_seen" = 1 ] || { echo "not ok - no TAP plan: the script died early"; failed=$((failed + 1)); }
}

# COCOON_INTEGRATION_ONLY=1: the integration scripts alone (the sanitizer pass below).
if [ ${#only[@]} = 0 ] && [ -z "${COCOON_INTEGRATION_ONLY:-}" ]; then
echo "== unit"
unit_out=$("$build/tests/unit-tests" --no-colors 2>&1)
echo "$unit_out" | tail -n 4
read -r u_pass u_fail < <(echo "$unit_out" |
    sed -nE 's/^\[doctest\] test cases: *[0-9]+ \| *([0-9]+) passed \| *([0-9]+) failed.*/\1 \2/p')
if [ -z "${u_pass:-}" ]; then
    echo "$unit_out"
    failed=$((failed + 1))
else
    passed=$((passed + u_pass)) failed=$((failed + u_fail))
fi

# In CI, the unit tests also run under AddressSanitizer and UBSan (a build of
# their own; the integration tests stay on the plain build, HACKING.md, "Tests").
if [ "${CI:-}" = true ]; then
    echo "== unit (address,undefined sanitizers)"
    asan=${build}-asan
    mkdir -p "$asan" && cp "$build/containers-seccomp.json" "$asan/" 2>/dev/null  # for test_seccomp.cc
    if { [ -f "$asan/build.ninja" ] || meson setup "$asan" "$src" -Db_sanitize=address,undefined \
            -Db_lundef=false -Dman=disabled -Dstatic=false >/dev/null; } && ninja -C "$asan" tests/unit-tests >/dev/null &&
        out=$(UBSAN_OPTIONS=halt_on_error=1 "$asan/tests/unit-tests" --no-colors 2>&1); then
        echo "ok - unit tests under sanitizers"; passed=$((passed + 1))
    else
        echo "not ok - unit tests under sanitizers"; echo "${out:-}" | tail -n 30; failed=$((failed + 1))
    fi
fi

# In CI, the fuzz targets (seccomp policies, profiles, the network relay's
# inputs, the command line and its plan, subordinate ids) run for a while too
# (tests/fuzz/run.sh): an input that hangs or crashes cocoon before a sandbox
# starts is a failure.
if [ "${CI:-}" = true ] && command -v clang++ >/dev/null; then
    echo "== fuzz"
    before=$((passed + failed))
    count_tap < <(bash "$src/tests/fuzz/run.sh" "${COCOON_FUZZ_SECONDS:-60}" 2>&1; echo "1..5")
    # Five targets, five results: a run that said nothing is a failure.
    if [ $((passed + failed - before)) -lt 5 ]; then
        echo "not ok - fuzz: $((passed + failed - before)) results for 5 targets"; failed=$((failed + 1))
    fi
fi

echo "== lint"
if out=$(bash "$src/tests/lint/layering.sh" "$src" 2>&1); then
    echo "ok - layering"; passed=$((passed + 1))
else
    echo "not ok - layering"; echo "$out"; failed=$((failed + 1))
fi
if command -v clang-format >/dev/null; then
    if out=$(cd "$src" && clang-format --dry-run --Werror src/*.cc src/*/*.cc src/*/*.h tests/unit/*.cc tests/helpers/*.cc completions/*.cc 2>&1); then
        echo "ok - clang-format"; passed=$((passed + 1))
    else
        echo "not ok - clang-format"; echo "$out" | head -n 20; failed=$((failed + 1))
    fi
fi

if out=$(bash "$src/tests/lint/man.sh" "$src" 2>&1); then
    case $out in skip:*) echo "ok - man page # SKIP ${out#skip: }"; skipped=$((skipped + 1)) ;; *) echo "ok - man page renders without stray markup"; passed=$((passed + 1)) ;; esac
else
    echo "not ok - man page"; echo "$out" | head -n 20; failed=$((failed + 1))
fi

echo "== hot text"
count_tap < <(bash "$src/tests/lint/hot-text.sh" "$src" "$build" 2>&1)

echo "== completions"
count_tap < <(bash "$src/tests/lint/completions.sh" "$build" 2>&1)

echo "== apparmor"
count_tap < <(bash "$src/tests/lint/apparmor.sh" "$src" 2>&1)
fi

echo "== integration"
# The build tree may not be readable by the test user: stage what it needs.
stage=$(mktemp -d /tmp/cocoon-tests.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/helpers" "$stage/integration"
cp "$build/src/cocoon" "$stage/bin/cocoon"
ln -s cocoon "$stage/bin/bwrap"
cp "$build/tests/helpers/probe" "$stage/helpers/probe"
[ ! -f "$build/tests/helpers/pid1_attack" ] || cp "$build/tests/helpers/pid1_attack" "$stage/helpers/pid1_attack"
cp "$src/tests/helpers/tty_run.py" "$src/tests/helpers/pty_script.py" "$stage/helpers/"
cp "$src"/tests/integration/*.sh "$stage/integration/"
cp "$src/README.md" "$stage/README.md"
# A real Docker/OCI seccomp profile: the system's, or the one tools/setup.sh
# unpacked from Debian's containers-common (nothing is downloaded here).
for oci_profile in /usr/share/containers/seccomp.json "$build/containers-seccomp.json"; do
    [ -f "$oci_profile" ] && cp "$oci_profile" "$stage/containers-seccomp.json" && break
done
chmod -R a+rX "$stage"

as_user=()
if [ "$(id -u)" = 0 ]; then
    bash "$src/tests/setup-users.sh" "$test_user" || { echo "0 passed, 1 failed"; exit 1; }
    as_user=(runuser -u "$test_user" --)
    # A second user without subordinate ranges, for the fallbacks of --map-auto.
    plain_user=${test_user}-noids
    # A setuid-root copy, to check that cocoon refuses to run that way.
    install -m 4755 "$build/src/cocoon" "$stage/bin/cocoon-setuid"
    install -m 0755 "$build/src/cocoon" "$stage/bin/cocoon-filecaps"
    command -v setcap >/dev/null && setcap cap_net_bind_service+ep "$stage/bin/cocoon-filecaps"
fi
for t in "$stage"/integration/t-*.sh; do
    if [ ${#only[@]} != 0 ]; then
        name=$(basename "$t" .sh)
        printf '%s\n' "${only[@]}" | grep -qxF "${name#t-}" || continue
    fi
    echo "# $(basename "$t")"
    runner=("${as_user[@]}")
    if grep -q '^# run-as: a user without' "$t"; then
        if [ ${#as_user[@]} = 0 ]; then
            echo "ok 1 # SKIP needs the harness to run as root to use a user without ranges"
            skipped=$((skipped + 1))
            continue
        fi
        runner=(runuser -u "$plain_user" --)
    fi
    count_tap < <(cd "$stage" && "${runner[@]}" env COCOON="$stage/bin/cocoon" BWRAP_SYMLINK="$stage/bin/bwrap" \
        PROBE="$stage/helpers/probe" PID1_ATTACK="$([ -f "$stage/helpers/pid1_attack" ] && echo "$stage/helpers/pid1_attack")" COCOON_SETUID="$stage/bin/cocoon-setuid" \
        COCOON_FILECAPS="$stage/bin/cocoon-filecaps" SYSTEM_BWRAP="$(command -v bwrap || true)" \
        OCI_PROFILE="$stage/containers-seccomp.json" README="$stage/README.md" \
        COCOON_MUST_WORK="${COCOON_MUST_WORK:-1}" bash "$t" 2>&1 </dev/null)
    # A test that leaked a process must not keep the next one's pipe open.
    [ ${#as_user[@]} = 0 ] || pkill -KILL -u "$test_user" 2>/dev/null
    [ ${#as_user[@]} = 0 ] || pkill -KILL -u "$plain_user" 2>/dev/null
done

# Older kernels, simulated for one process tree (HACKING.md, "Older kernels"):
# the scripts that exercise setup, security, attacks, overlays, data binds,
# PID 1, the lifecycle and --protect/--mask run again
# under a seccomp filter that makes every syscall newer than that kernel fail
# as the kernel would (tests/helpers/probe kernel VERSION).
for version in ${COCOON_KERNELS-5.10 5.4 4.18}; do
    "$build/tests/helpers/probe" kernel "$version" >"$stage/kernel-$version" || continue
    chmod a+r "$stage/kernel-$version"
    for name in ${COCOON_KERNEL_SCRIPTS-mounts security attack overlay data pid1 lifecycle protect}; do
        if [ ${#only[@]} != 0 ]; then
            printf '%s\n' "${only[@]}" | grep -qxF "$name@$version" || continue
        fi
        t=$stage/integration/t-$name.sh
        echo "# $(basename "$t") as Linux $version"
        count_tap < <(cd "$stage" && "${as_user[@]}" env COCOON="$stage/bin/cocoon" BWRAP_SYMLINK="$stage/bin/bwrap" \
            PROBE="$stage/helpers/probe" PID1_ATTACK="$([ -f "$stage/helpers/pid1_attack" ] && echo "$stage/helpers/pid1_attack")" \
            SYSTEM_BWRAP="$(command -v bwrap || true)" OCI_PROFILE="$stage/containers-seccomp.json" \
            README="$stage/README.md" COCOON_MUST_WORK="${COCOON_MUST_WORK:-1}" COCOON_KERNEL="$version" \
            "$stage/helpers/probe" under "$stage/kernel-$version" bash "$t" 2>&1 </dev/null)
        [ ${#as_user[@]} = 0 ] || pkill -KILL -u "$test_user" 2>/dev/null
    done
done

# In CI, the integration scripts run once more against a cocoon built with
# AddressSanitizer and UBSan (dynamically linked; the simulated kernels are
# left out). Leak checking is off: cocoon ends with _exit and leaves its plan
# to it on purpose (bench/README.md, "Page faults").
if [ "${CI:-}" = true ] && [ ${#only[@]} = 0 ] && [ -z "${COCOON_INTEGRATION_ONLY:-}" ]; then
    echo "== integration (address,undefined sanitizers)"
    asan=${build}-asan
    cp "$build/containers-seccomp.json" "$asan/" 2>/dev/null
    if ninja -C "$asan" src/cocoon tests/helpers/probe >/dev/null 2>&1; then
        out=$(COCOON_BUILD=$asan COCOON_INTEGRATION_ONLY=1 COCOON_KERNELS="" COCOON_SANITIZERS=1 \
            ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            bash "$src/tests/run-all.sh" 2>&1)
        # Each script's name, its failures with their diagnostics, and skips.
        echo "$out" | awk '/^# t-/ {print; next} /^not ok/ {sub(/^not ok/, "not ok (sanitizers)"); print; d = 1; next}
            /^ok .*# SKIP/ {print $0 " (sanitizers)"; d = 0; next} /^ok / {d = 0} /^# / && d {print}'
        read -r a_pass a_fail < <(echo "$out" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' | tail -n 1)
        if [ -n "${a_pass:-}" ]; then
            passed=$((passed + a_pass)) failed=$((failed + a_fail))
            skipped=$((skipped + $(echo "$out" | grep -c '^ok .*# SKIP')))
        else
            echo "not ok - integration under sanitizers: no result"; echo "$out" | tail -n 20; failed=$((failed + 1))
        fi
    else
        echo "not ok - integration under sanitizers: the build failed"; failed=$((failed + 1))
    fi
fi

[ "$skipped" = 0 ] || echo "($skipped skipped, not counted as passed)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

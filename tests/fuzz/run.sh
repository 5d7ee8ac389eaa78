#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the fuzz targets with clang (libFuzzer, AddressSanitizer, UBSan) and
# runs each for SECONDS (default 60), seeded with the repository's seccomp
# policies and profiles.
# Ends with "ok - fuzz NAME" or "not ok - fuzz NAME" per target.
#   bash tests/fuzz/run.sh [SECONDS]
# COCOON_FUZZ_TARGETS="policy cli" runs only those (for long runs by hand,
# one target per process in parallel).
set -u
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${COCOON_FUZZ_BUILD:-$src/build-fuzz}
seconds=${1:-60}
# A build that fails is a failure of every target, said with its output.
if [ ! -f "$build/build.ninja" ] && ! out=$(CXX=clang++ CC=clang meson setup "$build" "$src" -Dfuzz=true \
    -Dstatic=false -Dman=disabled -Db_sanitize=address,undefined -Db_lundef=false 2>&1); then
    echo "not ok - fuzz: meson setup failed"; echo "$out" | tail -n 20; exit 1
fi
if ! out=$(ninja -C "$build" tests/fuzz/fuzz-policy tests/fuzz/fuzz-profile tests/fuzz/fuzz-net tests/fuzz/fuzz-cli \
    tests/fuzz/fuzz-ids 2>&1); then
    echo "not ok - fuzz: the build failed"; echo "$out" | grep -E 'error|FAILED' | head -n 20; exit 1
fi
status=0
# fuzz NAME CORPUS: runs fuzz-NAME for SECONDS from the seeds in CORPUS, and
# every input that ever failed it (tests/fuzz/regressions/NAME-*).
fuzz() {
    local out
    case " ${COCOON_FUZZ_TARGETS:-policy profile net cli ids} " in *" $1 "*) ;; *) return 0 ;; esac
    cp "$src"/tests/fuzz/regressions/"$1"-* "$2"/ 2>/dev/null
    out=$(UBSAN_OPTIONS=halt_on_error=1 "$build/tests/fuzz/fuzz-$1" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=1024 -max_len=4096 -print_final_stats=1 -artifact_prefix="$build/" "$2" 2>&1)
    if [ $? = 0 ]; then
        echo "ok - fuzz $1 ($seconds s, $(echo "$out" | grep -o 'stat::number_of_executed_units: [0-9]*' | cut -d' ' -f2) runs)"
    else
        echo "not ok - fuzz $1"
        echo "$out" | tail -n 30
        status=1
    fi
}
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# Policy seeds: the built-in profile's text and the policies the unit tests use.
mkdir "$corpus/policy" "$corpus/profile"
sed -n '/kDefault = R"(/,/)"/p' "$src/src/core/seccomp_names.cc" | sed '1d;$d' >"$corpus/policy/default"
printf 'default allow\ndeny ioctl arg1 == TIOCSTI\nallow mmap arg0 > 0x1000 && arg2 & 0x4 == 0\n' >"$corpus/policy/small"
[ -f /usr/share/containers/seccomp.json ] && cp /usr/share/containers/seccomp.json "$corpus/policy/oci.json"
fuzz policy "$corpus/policy"
# Profile seeds: the built-in profiles, and one of each construct.
awk -v dir="$corpus/profile" '/ = R"\(# /{p = 1; n++; sub(/.*R"\(/, "")} /^\)";/{p = 0} p{print > (dir "/builtin" n)}' \
    "$src/src/core/builtin_profiles.cc"
printf '%s\n' "include host-ro" "if-symlink /bin --symlink usr/bin /bin" "if-set A --setenv X \"\${A:-~/d}\"" \
    "--bind ~/a '/b c' \\" "  /d" "# c" "include self" >"$corpus/profile/constructs"
fuzz profile "$corpus/profile"
# Network seeds: a rule of each form, a resolve, a DNS query for example.com.
mkdir "$corpus/net"
printf '\0example.com:443' >"$corpus/net/host"
printf '\0*.github.com' >"$corpus/net/suffix"
printf '\0[2001:db8::/32]:22' >"$corpus/net/v6"
printf '\001allowed.test=127.0.0.1' >"$corpus/net/resolve"
printf '\002\022\064\001\000\000\001\000\000\000\000\000\000\007example\003com\000\000\001\000\001' >"$corpus/net/query"
fuzz net "$corpus/net"
# Command-line seeds: the shapes real callers use (Flatpak's, an agent's),
# words separated by NUL, --args data after \x01.
mkdir "$corpus/cli" "$corpus/ids"
printf -- '--ro-bind\0/usr\0/usr\0--proc\0/proc\0--dev\0/dev\0--tmpfs\0/tmp\0--unshare-all\0--die-with-parent\0sh' >"$corpus/cli/basic"
printf -- '--args\0005\0true\001--bind\0/home/u/src\0/src\0--chdir\0/src\0' >"$corpus/cli/args"
printf -- '--profile\0agent\0--net-allow\0github.com\0--protect\0/home/u/src/.git/hooks\0--mask-try\0/x/../y\0true' >"$corpus/cli/agent"
printf -- '--ro-bind\0/\0/\0--bind\0/run\0/run\0--overlay-src\0/a\0--tmp-overlay\0/b\0--seccomp-profile\0default\0true' >"$corpus/cli/overlay"
printf '\001u:100000:65536\n1001:300000:1000\n# c\nbad line\nu:4294967290:10\n' >"$corpus/ids/ranges"
printf '\000u:1000:5\nu:100000:65536\nu:100100:10\n' >"$corpus/ids/overlap"
fuzz cli "$corpus/cli"
fuzz ids "$corpus/ids"
exit $status

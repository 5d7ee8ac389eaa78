#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the fuzz targets with clang (libFuzzer, AddressSanitizer, UBSan) and
# runs each for SECONDS (default 60), seeded with the policies of the repository.
# Ends with "ok - fuzz NAME" or "not ok - fuzz NAME" per target.
#   bash tests/fuzz/run.sh [SECONDS]
set -u
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${COCOON_FUZZ_BUILD:-$src/build-fuzz}
seconds=${1:-60}
if [ ! -f "$build/build.ninja" ]; then
    CXX=clang++ CC=clang meson setup "$build" "$src" -Dfuzz=true -Dstatic=false -Dman=disabled \
        -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
fi
ninja -C "$build" tests/fuzz/fuzz-policy >/dev/null || exit 1
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# Seeds: the built-in profiles' text and the policies the unit tests use.
sed -n '/kDefault = R"(/,/)"/p' "$src/src/core/seccomp_names.cc" | sed '1d;$d' >"$corpus/default"
printf 'default allow\ndeny ioctl arg1 == TIOCSTI\nallow mmap arg0 > 0x1000 && arg2 & 0x4 == 0\n' >"$corpus/small"
[ -f /usr/share/containers/seccomp.json ] && cp /usr/share/containers/seccomp.json "$corpus/oci.json"
out=$(UBSAN_OPTIONS=halt_on_error=1 "$build/tests/fuzz/fuzz-policy" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=1024 -max_len=4096 -print_final_stats=1 -artifact_prefix="$build/" "$corpus" 2>&1)
if [ $? = 0 ]; then
    echo "ok - fuzz policy ($seconds s, $(echo "$out" | grep -o 'stat::number_of_executed_units: [0-9]*' | cut -d' ' -f2) runs)"
else
    echo "not ok - fuzz policy"
    echo "$out" | tail -n 30
    exit 1
fi

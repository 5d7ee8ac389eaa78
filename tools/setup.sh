#!/bin/bash
# SPDX-License-Identifier: MIT
# Quick start, step 1: install what is missing, build, and run a demonstration
# sandbox. As root it installs with apt-get; otherwise it prints the apt-get line
# to run and stops.
set -eu
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${COCOON_BUILD:-$src/build}

packages=(g++ meson ninja-build pkg-config cmake libcap-dev libseccomp-dev libfmt-dev doctest-dev nlohmann-json3-dev
          scdoc clang-format bubblewrap uidmap bash-completion zsh fish libcap2-bin make git python3)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "cocoon needs these packages; run as root:"
        echo "  apt-get update && apt-get install -y ${missing[*]}"
        exit 1
    fi
    echo "== installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== building in $build"
[ -f "$build/build.ninja" ] || meson setup "$build" "$src" >/dev/null
ninja -C "$build" >/dev/null

# A real Docker/OCI seccomp profile for the tests: Debian's containers-common
# ships one; unpack just that file next to the build rather than install the
# package and its dependencies.
if [ ! -f /usr/share/containers/seccomp.json ] && [ ! -f "$build/containers-seccomp.json" ] && [ "$(id -u)" = 0 ]; then
    deb=$(mktemp -d)
    if (cd "$deb" && { apt-get download -q golang-github-containers-common >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && apt-get download -q golang-github-containers-common >/dev/null 2>&1; }; }) &&
        dpkg -x "$deb"/golang-github-containers-common_*.deb "$deb/x"; then
        cp "$deb/x/usr/share/containers/seccomp.json" "$build/containers-seccomp.json"
    fi
    rm -rf "$deb"
fi

# The demonstration runs rootless, the way cocoon is meant to be used: as root we
# run it as 'nobody' from a copy of the binary that user can read.
stage=$(mktemp -d /tmp/cocoon-demo.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp "$build/src/cocoon" "$stage/cocoon"
chmod -R a+rX "$stage"
as_user=()
[ "$(id -u)" != 0 ] || as_user=(runuser -u nobody --)

echo "== a sandbox: host /usr read-only, fresh /proc, /dev and /tmp, new pid, network and uts namespaces"
cd /
"${as_user[@]}" "$stage/cocoon" \
    --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
    --proc /proc --dev /dev --tmpfs /tmp \
    --unshare-pid --unshare-net --unshare-uts --hostname cocoon-demo --die-with-parent \
    sh -c '
        echo "hostname:        $(cat /proc/sys/kernel/hostname)   (host: '"$(hostname)"')"
        echo "my pid:          $$   (pid 1 is cocoon'"'"'s reaper)"
        echo "processes seen:  $(echo /proc/[0-9]*)"
        echo "root directory:  $(ls / | tr "\n" " ")"
        echo "network devices: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " ")"
        echo "capabilities:    $(grep CapEff /proc/self/status | cut -f2)"
        echo "write to /usr:   $(touch /usr/cocoon-demo 2>&1 | sed "s/.*: //")"
        echo "write to /tmp:   $(touch /tmp/x && echo ok, a private tmpfs)"'
echo "== done: run 'bash tests/run-all.sh' for the whole test suite"

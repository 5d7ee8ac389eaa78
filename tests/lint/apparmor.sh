#!/bin/bash
# SPDX-License-Identifier: MIT
# The AppArmor profile (apparmor/cocoon.in): meson configures and installs it
# as asked, and apparmor_parser compiles it (without loading it: -Q). TAP.
#   bash tests/lint/apparmor.sh SRC
set -u
src=$1
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# meson: the profile names the installed binary and goes to apparmor_dir.
for want in enabled disabled; do
    if ! meson setup "$work/b-$want" "$src" --prefix=/usr -Dapparmor=$want -Dapparmor_dir="$work/aa" \
            -Dtests=false -Dman=disabled -Dbash_completion=disabled -Dzsh_completion=disabled \
            -Dfish_completion=disabled >"$work/setup.log" 2>&1; then
        not_ok "meson setup -Dapparmor=$want"
        sed 's/^/# /' "$work/setup.log" | tail -n 10
        continue
    fi
    installed=$(meson introspect "$work/b-$want" --installed 2>/dev/null | grep -c "\"$work/aa/cocoon\"")
    if [ "$want" = enabled ]; then
        [ "$installed" = 1 ] && grep -q '^profile cocoon /usr/bin/cocoon flags=(unconfined) {$' "$work/b-$want/apparmor/cocoon" &&
            ok "-Dapparmor=enabled installs the profile for /usr/bin/cocoon into apparmor_dir" ||
            not_ok "-Dapparmor=enabled installs the profile for /usr/bin/cocoon into apparmor_dir"
    else
        [ "$installed" = 0 ] && ok "-Dapparmor=disabled installs no profile" || not_ok "-Dapparmor=disabled installs no profile"
    fi
done

# apparmor_parser: the profile compiles. The userns rule needs AppArmor 4
# (Ubuntu 23.10+); an older parser (Debian 12's 3.0) checks the rest of the
# profile, with that rule and the ABI it needs taken out.
profile=$work/b-enabled/apparmor/cocoon
if ! command -v apparmor_parser >/dev/null; then
    skip "apparmor_parser is not installed (package apparmor)"
elif [ ! -f "$profile" ]; then
    not_ok "apparmor_parser compiles the profile (it was not configured)"
else
    version=$(apparmor_parser --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -n 1)
    what="apparmor_parser $version compiles the profile"
    if [ "${version:-0}" -lt 4 ]; then
        grep -q '^  userns,$' "$profile" || not_ok "the profile allows user namespaces"
        sed -i -e 's|^abi <abi/4.0>,|abi <abi/3.0>,|' -e '/^  userns,$/d' "$profile"
        what="$what (but for the userns rule, which needs AppArmor 4)"
    fi
    if out=$(apparmor_parser -Q -K -I /etc/apparmor.d "$profile" 2>&1 | grep -v "^Cache read/write disabled"); [ -z "$out" ] &&
        apparmor_parser -Q -K -I /etc/apparmor.d "$profile" >/dev/null 2>&1; then
        ok "$what"
    else
        not_ok "$what"
        echo "$out" | sed 's/^/# /'
    fi
fi
echo "1..$n"
[ "$failed" = 0 ]

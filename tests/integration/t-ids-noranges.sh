#!/bin/bash
# SPDX-License-Identifier: MIT
# run-as: a user without /etc/subuid or /etc/subgid ranges
# --map-auto falls back to bwrap's single-id map with a warning; explicit maps fail.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc)
if grep -q "^$(id -un):" /etc/subuid; then
    echo "Bail out! $(id -un) has ranges in /etc/subuid; this script needs a user without"
    exit 1
fi

run "${C[@]}" --map-auto sh -c 'cat /proc/self/uid_map; id -u'
check "--map-auto without ranges warns once and maps the caller alone" \
    "0 cocoon: --map-auto: no range for this user in /etc/subuid; mapping only uid $(id -u)
cocoon: --map-auto: no range for this user in /etc/subgid; mapping only gid $(id -g) $(id -u) $(id -u) 1 $(id -u)" \
    "$rc $err $(echo $out)"

run "${C[@]}" --map-uid 0 100000 10 --uid 0 true
check "explicit maps never fall back" \
    "125 cocoon: --map-uid 0 100000 10: host uids 100000-100009 are neither yours ($(id -u)) nor inside a range of yours (/etc/subuid has no range for this user)" \
    "$rc $err"

done_testing

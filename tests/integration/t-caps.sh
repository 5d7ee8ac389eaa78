#!/bin/bash
# SPDX-License-Identifier: MIT
# --cap-add and --cap-drop, and cocoon inside cocoon.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" "${ROOT[@]}")
caps() { echo 'grep -E "^Cap" /proc/self/status | cut -f2 | tr "\n" " "'; }

run "${C[@]}" --cap-add CAP_NET_ADMIN sh -c "$(caps)"
check "--cap-add gives the capability in every set" \
    "0000000000001000 0000000000001000 0000000000001000 0000000000001000 0000000000001000 " "$out"

run "${C[@]}" --cap-add cap_chown --uid 1000 sh -c "$(caps)"
check "... also to a uid other than 0 (ambient)" \
    "0000000000000001 0000000000000001 0000000000000001 0000000000000001 0000000000000001 " "$out"

run "${C[@]}" --cap-add ALL --cap-drop CAP_CHOWN sh -c "$(caps)"
check_match "--cap-drop after ALL removes one" "^(000001fffffffffe ){5}$" "$out"

run "${C[@]}" --cap-add 5 sh -c "$(caps)"
check_match "a capability by number" "^(0000000000000020 ){5}$" "$out"

# Without --dev: with it, as in bwrap, the command sits in a nested user namespace
# that does not own the network namespace.
NODEV=("$COCOON" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64
       --symlink usr/sbin /sbin)
run "${NODEV[@]}" --unshare-net --cap-add CAP_NET_ADMIN sh -c 'ip link set lo down && echo down'
check "a capability really works: CAP_NET_ADMIN takes lo down" "down" "$out"

run "${NODEV[@]}" --unshare-net sh -c 'ip link set lo down'
check_match "without it the kernel refuses" "Operation not permitted" "$err"

run "${C[@]}" --uid 0 --tmpfs /t sh -c 'echo secret > /t/f; chmod 000 /t/f; cat /t/f'
check_match "root inside without --cap-add has no CAP_DAC_OVERRIDE" "Permission denied" "$err"
run "${C[@]}" --uid 0 --cap-add CAP_DAC_OVERRIDE --tmpfs /t sh -c 'echo secret > /t/f; chmod 000 /t/f; cat /t/f'
check "... and with it, it does" "secret" "$out"

run "${C[@]}" --cap-add ALL --unshare-pid sh -c 'grep CapEff /proc/1/status | cut -f2'
check "the reaper keeps no capability, whatever the command gets" "0000000000000000" "$out"

run "${C[@]}" --cap-add CAP_FOO true
check "an unknown capability is an error with bwrap's message" "125 cocoon: unknown cap: CAP_FOO" "$rc $err"
run "${C[@]}" --cap-drop chown true
check "... also for --cap-drop" "125 cocoon: unknown cap: chown" "$rc $err"

stage=$(dirname "$COCOON")
run "${C[@]}" --ro-bind "$stage" /stage --unshare-user --uid 0 --gid 0 --cap-add ALL \
    /stage/cocoon --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
    --proc /proc --unshare-pid \
    sh -c 'echo $$; id -u'
check "cocoon runs inside cocoon with --unshare-user --uid 0 --gid 0 --cap-add ALL" "2 0" "$(echo $out)"

run "${C[@]}" --ro-bind "$stage" /stage \
    /stage/cocoon --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
    --proc /proc id -u
check "... and without: a nested user namespace needs no capability" "$(id -u)" "$out"

if [ -n "${COCOON_SANITIZERS:-}" ]; then  # tests/run-all.sh's sanitizer pass
    skip "without /proc inside: a sanitizer's runtime cannot start there itself"
else
    run "$COCOON" --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 --ro-bind "$stage" /stage \
        /stage/cocoon --ro-bind /usr /usr true
    check "without /proc inside, the nested run says what it needs" \
        "125 cocoon: Can't open /proc, which the user namespace's id maps are written through: No such file or directory" \
        "$rc $err"
fi

done_testing

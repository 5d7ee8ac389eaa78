#!/bin/bash
# SPDX-License-Identifier: MIT
# The test users, made once and idempotently (run by tests/run-all.sh as root):
#   cocoon-test        with subordinate ranges 200000:65536 in /etc/subuid and /etc/subgid
#   cocoon-test-noids  with none, for the fallbacks of --map-auto
# Lines of users this script did not create are never touched; a range line is
# only ever added for cocoon-test when it has none.
set -eu
test_user=${1:-cocoon-test}
plain_user=${test_user}-noids
if ! id "$test_user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$test_user"
fi
for f in /etc/subuid /etc/subgid; do
    grep -q "^$test_user:" "$f" 2>/dev/null || echo "$test_user:200000:65536" >>"$f"
done
if ! id "$plain_user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$plain_user"
    # useradd gives new users ranges of their own (login.defs SUB_UID_COUNT):
    # this one, just made here, must have none.
    sed -i "/^$plain_user:/d" /etc/subuid /etc/subgid
fi

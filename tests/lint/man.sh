#!/bin/bash
# SPDX-License-Identifier: MIT
# The man page renders cleanly: groff has no warning, and no scdoc markup
# (_word_, *word*) is left over in what man(1) shows. Prints problems; exit 1 if any.
#   bash tests/lint/man.sh SRC
set -u
src=$1
command -v scdoc >/dev/null && command -v groff >/dev/null || { echo "skip: scdoc or groff missing"; exit 0; }
page=$(mktemp)
trap 'rm -f "$page"' EXIT
scdoc <"$src/man/cocoon.1.scd" >"$page" || exit 1
status=0
warnings=$(groff -ww -z -man "$page" 2>&1)
[ -z "$warnings" ] || { echo "groff: $warnings"; status=1; }
stray=$(MANWIDTH=80 man -l "$page" 2>/dev/null | grep -nE '(^|[^[:alnum:]])_[[:alnum:]]+_|[^ (]\*[[:alnum:]-]+\*')
[ -z "$stray" ] || { echo "markup left in the rendered page:"; echo "$stray"; status=1; }
exit $status

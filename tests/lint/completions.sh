#!/bin/bash
# SPDX-License-Identifier: MIT
# The generated completions cover every option of `cocoon --help`, load in their
# shells, and complete for real: prints TAP.
set -u
build=${1:?usage: completions.sh BUILD_DIR}
comp=$(cd "$build/completions" && pwd)
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }

options=$("$build/src/cocoon" --help | grep -oE '^    --[a-z0-9-]+' | tr -d ' ')
for f in cocoon _cocoon cocoon.fish; do
    missing=$(for o in $options; do
        case $f in
            cocoon.fish) grep -q -- "-l ${o#--} " "$comp/$f" || echo "$o" ;;
            *) grep -qE -- "$o([^a-z0-9-]|\$)" "$comp/$f" || echo "$o" ;;
        esac
    done)
    [ -z "$missing" ] && ok "$f covers every option of --help" || not_ok "$f misses: $missing"
done

# complete_bash WORDS...: what bash completion offers for the last word.
complete_bash() {
    bash -c '
        . /usr/share/bash-completion/bash_completion
        . "$0"
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _cocoon cocoon "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' "$comp/cocoon" "$@"
}
if [ -f /usr/share/bash-completion/bash_completion ]; then
    got=$(complete_bash cocoon --ro-b)
    [ "$got" = "--ro-bind --ro-bind-data --ro-bind-fd --ro-bind-try " ] && ok "bash: cocoon --ro-b<TAB>" ||
        not_ok "bash: cocoon --ro-b<TAB> gave '$got'"
    got=$(cd /usr && complete_bash cocoon --bind /usr/shar)
    [ "$got" = "/usr/share " ] && ok "bash: a bind source completes paths" || not_ok "bash: bind source gave '$got'"
    got=$(complete_bash cocoon --setenv PAT)
    [[ "$got" == *PATH* ]] && ok "bash: --setenv completes variable names" || not_ok "bash: --setenv gave '$got'"
    got=$(complete_bash cocoon --unshare-pid --tmpfs /tmp tru)
    [[ "$got" == *true* ]] && ok "bash: after the options come commands" || not_ok "bash: command gave '$got'"
else
    skip "bash-completion is not installed"
fi
if command -v zsh >/dev/null; then
    zsh -n "$comp/_cocoon" && ok "zsh: the completion parses" || not_ok "zsh: the completion does not parse"
else
    skip "zsh is not installed"
fi
if command -v fish >/dev/null; then
    got=$(fish -c "source $comp/cocoon.fish; complete -C 'cocoon --ro-b'" 2>&1 | cut -f1 | sort | tr '\n' ' ')
    [ "$got" = "--ro-bind --ro-bind-data --ro-bind-fd --ro-bind-try " ] && ok "fish: cocoon --ro-b<TAB>" ||
        not_ok "fish: cocoon --ro-b<TAB> gave '$got'"
else
    skip "fish is not installed"
fi
echo "1..$n"
[ "$failed" = 0 ]

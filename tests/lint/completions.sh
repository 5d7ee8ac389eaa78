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
    got=$(complete_bash cocoon --cap-add CAP_SYS_AD)
    [ "$got" = "CAP_SYS_ADMIN " ] && ok "bash: --cap-add completes capability names" || not_ok "bash: --cap-add gave '$got'"
    got=$(cd / && complete_bash cocoon --seccomp-profile d)
    [[ " $got" == *" default "* && " $got" == *" dev "* ]] && ok "bash: --seccomp-profile completes built-in profiles and files" ||
        not_ok "bash: --seccomp-profile gave '$got'"
    got=$(complete_bash cocoon --unshare-pid --tmpfs /tmp tru)
    [[ "$got" == *true* ]] && ok "bash: after the options come commands" || not_ok "bash: command gave '$got'"
else
    skip "bash-completion is not installed"
fi
if command -v zsh >/dev/null; then
    zsh -n "$comp/_cocoon" && ok "zsh: the completion parses" || not_ok "zsh: the completion does not parse"
    here=$(cd "$(dirname "$0")" && pwd)
    complete_zsh() { (cd / && zsh -f "$here/zsh-complete.zsh" "$comp" "$1" "$2" 2>&1); }
    got=$(complete_zsh "cocoon --ro-b" $'\t\t')
    [[ "$got" == *"--ro-bind-data "* && "$got" == *"--ro-bind-fd "* && "$got" == *"--ro-bind-try "* &&
        "$got" != *"invalid option definition"* ]] && ok "zsh: cocoon --ro-b<TAB><TAB> lists the --ro-bind options" ||
        not_ok "zsh: cocoon --ro-b<TAB><TAB> gave: $got"
    got=$(complete_zsh "cocoon --cap-add CAP_SYS_AD" $'\t' | tail -n 1)
    [[ "$got" == *"cocoon --cap-add CAP_SYS_ADMIN "* ]] && ok "zsh: --cap-add completes capability names" ||
        not_ok "zsh: --cap-add gave: $got"
    got=$(complete_zsh "cocoon --seccomp-profile def" $'\t' | tail -n 1)
    [[ "$got" == *"cocoon --seccomp-profile default "* ]] && ok "zsh: --seccomp-profile completes built-in profiles" ||
        not_ok "zsh: --seccomp-profile gave: $got"
else
    skip "zsh is not installed"
fi
if command -v fish >/dev/null; then
    got=$(fish -c "source $comp/cocoon.fish; complete -C 'cocoon --ro-b'" 2>&1 | cut -f1 | sort | tr '\n' ' ')
    [ "$got" = "--ro-bind --ro-bind-data --ro-bind-fd --ro-bind-try " ] && ok "fish: cocoon --ro-b<TAB>" ||
        not_ok "fish: cocoon --ro-b<TAB> gave '$got'"
    got=$(fish -c "source $comp/cocoon.fish; complete -C 'cocoon --cap-add CAP_NET_BI'" 2>&1 | cut -f1 | tr '\n' ' ')
    [ "$got" = "CAP_NET_BIND_SERVICE " ] && ok "fish: --cap-add completes capability names" ||
        not_ok "fish: --cap-add gave '$got'"
    got=$(cd / && fish -c "source $comp/cocoon.fish; complete -C 'cocoon --seccomp-profile '" 2>&1 | cut -f1 | sort | tr '\n' ' ')
    [[ " $got" == *" default "* && " $got" == *" none "* && " $got" == *" usr/ "* ]] &&
        ok "fish: --seccomp-profile completes built-in profiles and files" || not_ok "fish: --seccomp-profile gave '$got'"
    # Every argument of a multi-argument option, then COMMAND, then COMMAND's own words.
    fish_got() { (cd / && fish -c "source $comp/cocoon.fish; complete -C '$1'" 2>&1 | cut -f1 | sort | tr '\n' ' '); }
    got=$(fish_got 'cocoon --ro-bind /usr /us')
    [ "$got" = "/usr/ " ] && ok "fish: the second argument of --ro-bind is a path" || not_ok "fish: --ro-bind SRC /us gave '$got'"
    got=$(fish_got 'cocoon --ro-bind /usr /usr --unshare-net ba')
    [[ " $got" == *" bash "* && " $got" != *" --"* ]] && ok "fish: COMMAND after the options" ||
        not_ok "fish: COMMAND after the options gave '$got'"
    got=$(fish_got 'cocoon --ro-bind /usr /usr ls --colo')
    [[ " $got" == *" --color"* ]] && ok "fish: COMMAND's own options come from its completion" ||
        not_ok "fish: ls's options gave '$got'"
    got=$(fish_got 'cocoon --on-exit ')
    [ "$got" = "detach kill wait " ] && ok "fish: --on-exit completes its choices" || not_ok "fish: --on-exit gave '$got'"
else
    skip "fish is not installed"
fi
echo "1..$n"
[ "$failed" = 0 ]

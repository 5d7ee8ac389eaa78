# SPDX-License-Identifier: MIT
# Drives zsh's real completion in a pseudo-terminal and prints the screen:
#   zsh -f zsh-complete.zsh COMPLETION_DIR WORDS KEYS
# (KEYS: what to type after WORDS, e.g. one or two tabs).
# No fixed delays: it waits for the shell to say it is ready, then for the
# screen to stay still for a second (a loaded CI machine runs compinit slowly).
zmodload zsh/zpty
zmodload zsh/datetime
zpty -b z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; zstyle ':completion:*' menu no; setopt nobeep; bindkey '^I' complete-word"
zpty -w z "print READ''Y"  # the quotes keep the echoed command from matching
seen='' line=''
deadline=$(( EPOCHREALTIME + 30 ))
while [[ $seen != *READY* ]] && (( EPOCHREALTIME < deadline )); do
    if zpty -r -t z line; then seen+=$line; else sleep 0.05; fi
done
zpty -n -w z "$2$3"
out='' last=$EPOCHREALTIME
deadline=$(( EPOCHREALTIME + 30 ))
while (( EPOCHREALTIME < deadline )); do
    if zpty -r -t z line; then
        out+=$line
        last=$EPOCHREALTIME
    elif (( EPOCHREALTIME - last >= 1.0 )); then
        break
    else
        sleep 0.05
    fi
done
print -r -- "$out" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
zpty -d z

# SPDX-License-Identifier: MIT
# Drives zsh's real completion in a pseudo-terminal and prints the screen:
#   zsh -f zsh-complete.zsh COMPLETION_DIR WORDS KEYS
# (KEYS: what to type after WORDS, e.g. one or two tabs).
zmodload zsh/zpty
zpty -b z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; zstyle ':completion:*' menu no; setopt nobeep; bindkey '^I' complete-word"
zpty -w z "print READY"
while zpty -r -t z line; do :; done
sleep 0.3
zpty -n -w z "$2$3"
sleep 1
out=''
while zpty -r -t z line; do out+=$line; done
print -r -- "$out" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
zpty -d z

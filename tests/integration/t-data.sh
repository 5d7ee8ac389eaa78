#!/bin/bash
# SPDX-License-Identifier: MIT
# Data and mode options: --file, --bind-data, --ro-bind-data, --bind-fd, --ro-bind-fd,
# --chmod, --perms, --size, --mqueue.
. "$(dirname "$0")/lib.sh"
require_userns
C=("$COCOON" --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64)
work=$(mktemp -d "$HOME/data.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'line one\nline two\n' >"$work/in"

run "${C[@]}" --file 5 /etc/f sh -c 'stat -c %a /etc/f; cat /etc/f' 5<"$work/in"
check "--file copies the fd's data into a new 0666 file" "666 line one line two" "$(echo $out)"
run bash -c "umask 077; $(printf '%q ' "${C[@]}") --perms 0640 --file 5 /f stat -c %a /f 5<$work/in"
check "--perms sets its mode, whatever the umask" "640" "$out"
run "${C[@]}" --file 77 /f true
check "--file with a closed fd fails before anything runs" "125 cocoon: Can't write data to file /f: Bad file descriptor" "$rc $err"
run "${C[@]}" --file 5 /usr/f true 5<"$work/in"
check "--file on a read-only place fails" "125 cocoon: Can't create file /usr/f: Read-only file system" "$rc $err"

run "${C[@]}" --bind-data 5 /d sh -c 'stat -c %a /d; echo three >> /d && cat /d' 5<"$work/in"
check "--bind-data binds a private 0600 copy, writable" "600 line one line two three" "$(echo $out)"
check "... and the caller's file is unchanged" "2" "$(wc -l <"$work/in")"
run "${C[@]}" --ro-bind-data 5 /d sh -c 'cat /d; echo x > /d' 5<"$work/in"
check_match "--ro-bind-data is read-only" "Read-only file system" "$err"
run "${C[@]}" --perms 0644 --ro-bind-data 5 /x/d stat -c %a /x/d 5<"$work/in"
check "--perms applies to --ro-bind-data" "644" "$out"
run "${C[@]}" --ro-bind-data 9 /d true
check "--ro-bind-data with a closed fd fails" "125 cocoon: Can't write data to file /d: Bad file descriptor" "$rc $err"
run "${C[@]}" --bind-data 5 /d sh -c 'ls -A /' 5<"$work/in"
check "the hidden file is nowhere in the sandbox" "bin d lib lib64 usr" "$(echo $out)"

mkdir -p "$work/dir" && echo inside >"$work/dir/file"
run "${C[@]}" --bind-fd 5 /b sh -c 'cat /b/file; echo more > /b/new' 5<"$work/dir"
check "--bind-fd binds the directory the fd refers to" "inside more" "$out $(cat "$work/dir/new")"
run "${C[@]}" --ro-bind-fd 5 /b touch /b/x 5<"$work/dir"
check_match "--ro-bind-fd is read-only" "Read-only file system" "$err"
run "${C[@]}" --bind-fd 5 /b cat /b 5<"$work/in"
check "--bind-fd binds a file too" "line one line two" "$(echo $out)"
run "${C[@]}" --bind-fd 77 /b true
check "--bind-fd with a closed fd fails" "125 cocoon: Can't bind fd 77 on /b: Bad file descriptor" "$rc $err"

run "${C[@]}" --tmpfs /t --chmod 0700 /t --dir /t/d --chmod 1777 /t/d stat -c %a /t /t/d
check "--chmod changes modes, in order" "700 1777" "$(echo $out)"
run "${C[@]}" --chmod 0700 /nope true
check "--chmod on a missing path fails" "125 cocoon: Can't chmod 0700 /nope: No such file or directory" "$rc $err"
run "${C[@]}" --chmod 8 /usr true
check "--chmod takes octal only" "125 cocoon: --chmod takes an octal argument <= 07777" "$rc $err"

run "${C[@]}" --perms 0750 --dir /a/b/c stat -c %a /a /a/b /a/b/c
check "--perms on --dir also narrows the missing parents" "750 750 750" "$(echo $out)"
run "${C[@]}" --perms 0701 --tmpfs /t --tmpfs /u stat -c %a /t /u
check "--perms applies to the next option only" "701 755" "$(echo $out)"
run "${C[@]}" --perms 0700 --unshare-pid --dir /x true
check "--perms before a non-creating option fails" \
    "125 cocoon: --perms must be followed by an option that creates a file" "$rc $err"
run "${C[@]}" --perms 0700 --perms 0700 --dir /x true
check "--perms twice fails" "125 cocoon: --perms given twice for the same action" "$rc $err"

run "${C[@]}" --size 0x100000 --tmpfs /t stat -f -c '%b %S' /t
check "--size limits the next tmpfs" "256 4096" "$out"
run "${C[@]}" --size 4096 --tmpfs /t sh -c 'head -c 8192 /dev/zero > /t/big 2>&1 || echo full' 2>/dev/null
check_match "... really" "full|No space" "$out $err"
run "${C[@]}" --size 0 --tmpfs /t true
check "--size 0 fails" "125 cocoon: --size takes a non-zero number of bytes" "$rc $err"
run "${C[@]}" --size 100 --dir /x true
check "--size must precede --tmpfs" "125 cocoon: --size must be followed by --tmpfs" "$rc $err"

run "${C[@]}" --unshare-ipc --mqueue /mq stat -f -c %T /mq
check "--mqueue mounts an mqueue filesystem" "mqueue" "$out"
run "${C[@]}" --mqueue /mq true
check "--mqueue without --unshare-ipc is refused by the kernel" \
    "125 cocoon: Can't mount mqueue on /mq: Operation not permitted" "$rc $err"

done_testing

#!/bin/bash
# SPDX-License-Identifier: MIT
# The layering rules of HACKING.md ("Layers", "The child contract"), checked by grep: pure code makes no
# syscalls, child code neither allocates nor formats, fds are created only in os/
# and child code, and every fd is created close-on-exec.
set -u
cd "${1:-.}/src" || exit 2
status=0
complain() { printf 'layering: %s\n%s\n' "$1" "$2"; status=1; }
# The files named below must exist: a rename must not silently skip a check.
for f in run/child.cc run/mount_exec.cc run/beneath.cc run/mount_tree.cc run/mount_overlay.cc run/reaper.cc run/launcher.cc run/placeholder_setup.cc \
    run/freeze.cc run/failure.cc run/seccomp_profiles.cc run/check.cc main.cc; do
    [ -f "$f" ] || complain "a file the checks name is gone" "$f"
done

hits=$(grep -nE '#include [<"](sys/mount\.h|sched\.h|sys/prctl\.h|seccomp\.h|sys/syscall\.h|unistd\.h|fcntl\.h|os/|run/)' \
  core/*.cc core/*.h base/*.cc base/*.h)
[ -z "$hits" ] || complain "pure code includes a system or outer-layer header" "$hits"

hits=$(grep -nE 'std::string|std::vector|fmt::|printf|new [A-Za-z_]|malloc|throw ' run/child.cc run/mount_exec.cc run/beneath.cc run/mount_tree.cc run/mount_overlay.cc run/reaper.cc run/placeholder_setup.cc | grep -vE '^[^:]+:[0-9]+: *//')
[ -z "$hits" ] || complain "child code allocates or formats" "$hits"

hits=$(grep -nE '::(open|openat|pipe2?|socket|memfd_create|signalfd|timerfd_create|eventfd)\(|SYS_(pidfd_open|memfd_create)' \
  run/launcher.cc run/freeze.cc run/failure.cc run/seccomp_profiles.cc run/check.cc main.cc core/*.cc base/*.cc)
[ -z "$hits" ] || complain "raw fd creation outside os/ and child code" "$hits"

hits=$(grep -rnE '::(open|openat|pipe2|socket|fsopen|fsmount|open_tree|signalfd|memfd_create|accept4?)\(' . | grep -v CLOEXEC)
[ -z "$hits" ] || complain "an fd created without CLOEXEC" "$hits"
exit $status

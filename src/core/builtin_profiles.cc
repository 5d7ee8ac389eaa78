// SPDX-License-Identifier: MIT
// The built-in profiles (man/cocoon.1.scd, "PROFILES", documents each; the
// format is in core/profile.h). A user's or the system's profile of the same
// name comes first. [pure]
#include <algorithm>

#include "core/profile.h"

namespace cocoon {
namespace {

// The host's programs, read-only, as Debian, Ubuntu and Fedora lay them out:
// /usr with the merge symlinks (or the directories of a split layout), and the
// files of /etc that programs read (alternatives, the loader's cache, users,
// name service, locale, time zone, TLS certificates, DNS). Nothing of /run,
// /var or the home directory; a scratch home, /tmp and a pid namespace.
constexpr std::string_view kHostRo =
    R"(# The host's programs read-only (/usr, /etc's essentials), /proc, /dev, a private /tmp and home; no /run, no sockets
--ro-bind /usr /usr
if-symlink /bin --symlink usr/bin /bin
if-dir /bin --ro-bind /bin /bin
if-symlink /sbin --symlink usr/sbin /sbin
if-dir /sbin --ro-bind /sbin /sbin
if-symlink /lib --symlink usr/lib /lib
if-dir /lib --ro-bind /lib /lib
if-symlink /lib64 --symlink usr/lib64 /lib64
if-dir /lib64 --ro-bind /lib64 /lib64
if-symlink /lib32 --symlink usr/lib32 /lib32
if-dir /lib32 --ro-bind /lib32 /lib32
if-symlink /libx32 --symlink usr/libx32 /libx32
if-dir /libx32 --ro-bind /libx32 /libx32
# Debian's alternatives (cc, awk, which, editor, ...), the loader, users and groups
--ro-bind-try /etc/alternatives /etc/alternatives
--ro-bind-try /etc/ld.so.cache /etc/ld.so.cache
--ro-bind-try /etc/ld.so.conf /etc/ld.so.conf
--ro-bind-try /etc/ld.so.conf.d /etc/ld.so.conf.d
--ro-bind-try /etc/passwd /etc/passwd
--ro-bind-try /etc/group /etc/group
--ro-bind-try /etc/nsswitch.conf /etc/nsswitch.conf
# Name service, DNS, time, locale
--ro-bind-try /etc/host.conf /etc/host.conf
--ro-bind-try /etc/hosts /etc/hosts
--ro-bind-try /etc/resolv.conf /etc/resolv.conf
--ro-bind-try /etc/gai.conf /etc/gai.conf
--ro-bind-try /etc/services /etc/services
--ro-bind-try /etc/protocols /etc/protocols
--ro-bind-try /etc/localtime /etc/localtime
--ro-bind-try /etc/timezone /etc/timezone
--ro-bind-try /etc/locale.conf /etc/locale.conf
--ro-bind-try /etc/default/locale /etc/default/locale
# TLS certificates and crypto policies (Debian: /etc/ssl; Fedora: /etc/pki)
--ro-bind-try /etc/ssl /etc/ssl
--ro-bind-try /etc/ca-certificates /etc/ca-certificates
--ro-bind-try /etc/pki /etc/pki
--ro-bind-try /etc/crypto-policies /etc/crypto-policies
# What shells, interpreters and tools read from /etc
--ro-bind-try /etc/os-release /etc/os-release
--ro-bind-try /etc/debian_version /etc/debian_version
--ro-bind-try /etc/profile /etc/profile
--ro-bind-try /etc/profile.d /etc/profile.d
--ro-bind-try /etc/bash.bashrc /etc/bash.bashrc
--ro-bind-try /etc/inputrc /etc/inputrc
--ro-bind-try /etc/terminfo /etc/terminfo
--ro-bind-try /etc/mime.types /etc/mime.types
--ro-bind-try /etc/gitconfig /etc/gitconfig
--ro-bind-try /etc/perl /etc/perl
--ro-bind-try /etc/python3 /etc/python3
--proc /proc
--dev /dev
--tmpfs /tmp
--tmpfs ~
--unshare-pid
--env-keep COLORTERM
--env-keep NO_COLOR
)";

constexpr std::string_view kDesktop =
    R"(# host-ro with fonts, themes, the Wayland, PipeWire and PulseAudio sockets if present, a private home kept in ~/.local/share/cocoon/COMMAND; no network, no other process
include host-ro
# The home directory: $COCOON_HOME, else one per program, made on first use.
--bind-create ${COCOON_HOME:-~/.local/share/cocoon/${COMMAND}} ~
--ro-bind-try /etc/fonts /etc/fonts
--ro-bind-try /var/cache/fontconfig /var/cache/fontconfig
--ro-bind-try /etc/machine-id /etc/machine-id
--ro-bind-try ~/.local/share/fonts ~/.local/share/fonts
--ro-bind-try ~/.fonts ~/.fonts
--ro-bind-try ~/.config/fontconfig ~/.config/fontconfig
--ro-bind-try ~/.themes ~/.themes
--ro-bind-try ~/.icons ~/.icons
--ro-bind-try ~/.local/share/themes ~/.local/share/themes
--ro-bind-try ~/.local/share/icons ~/.local/share/icons
--ro-bind-try ~/.config/gtk-3.0 ~/.config/gtk-3.0
--ro-bind-try ~/.config/gtk-4.0 ~/.config/gtk-4.0
# The runtime directory holds only the sockets named here, never the whole of it.
--perms 0700 --dir /run/user/${UID}
--setenv XDG_RUNTIME_DIR /run/user/${UID}
if-set WAYLAND_DISPLAY --ro-bind-try ${XDG_RUNTIME_DIR:-/run/user/${UID}}/${WAYLAND_DISPLAY} /run/user/${UID}/${WAYLAND_DISPLAY}
--ro-bind-try ${XDG_RUNTIME_DIR:-/run/user/${UID}}/pipewire-0 /run/user/${UID}/pipewire-0
--ro-bind-try ${XDG_RUNTIME_DIR:-/run/user/${UID}}/pulse/native /run/user/${UID}/pulse/native
--env-keep WAYLAND_DISPLAY
--env-keep XDG_SESSION_TYPE
--env-keep XDG_CURRENT_DESKTOP
--env-keep GDK_BACKEND
--env-keep QT_QPA_PLATFORM
--unshare-all
--new-session
--die-with-parent
)";

constexpr std::string_view kBuild =
    R"(# host-ro with the current directory writable, root inside over the subordinate ids, no network, the default seccomp profile; everything ends with the build
include host-ro
--bind ${CWD} ${CWD}
--chdir ${CWD}
--map-auto
--uid 0
--gid 0
--unshare-all
--seccomp-profile default
--new-session
--die-with-parent
--on-exit kill
)";

constexpr std::string_view kCi =
    R"(# The host read-only without /run, a scratch home, /tmp and /var/tmp, the current directory writable with its changes discarded; a pid namespace, everything killed at exit
--ro-bind / /
--tmpfs /run
--tmpfs ~
--tmpfs /tmp
--tmpfs /var/tmp
--proc /proc
--dev /dev
--overlay-src ${CWD}
--tmp-overlay ${CWD}
--chdir ${CWD}
--unshare-pid
--unshare-ipc
--unshare-uts
--die-with-parent
--on-exit kill
--env-keep COLORTERM
--env-keep NO_COLOR
--env-keep CI
)";

constexpr std::string_view kAgent =
    R"(# The host read-only without /run, a scratch home, the current directory writable but its .git/hooks, .git/config and shell start-up files read-only; no network but what --net-allow names, the default seccomp profile, what is denied said on stderr, a time limit ($COCOON_TIMEOUT, default 600 s), everything killed at exit
--ro-bind / /
--tmpfs /run
--tmpfs ~
--tmpfs /tmp
--tmpfs /var/tmp
--proc /proc
--dev /dev
--bind ${CWD} ${CWD}
# Read-only where they exist, their directories pinned against renames (--protect).
# A repository's hooks even where it has none: a hook the agent planted would
# run on the host at the user's next commit (a placeholder while it runs).
# (A worktree's .git is a file: its hooks and config live elsewhere.)
if-dir ${CWD}/.git --protect ${CWD}/.git/hooks/
if-dir ${CWD}/.git --protect-try ${CWD}/.git/config
--protect-try ${CWD}/.bashrc
--protect-try ${CWD}/.bash_profile
--protect-try ${CWD}/.bash_login
--protect-try ${CWD}/.bash_logout
--protect-try ${CWD}/.profile
--protect-try ${CWD}/.zshrc
--protect-try ${CWD}/.zshenv
--protect-try ${CWD}/.zprofile
--protect-try ${CWD}/.zlogin
--protect-try ${CWD}/.envrc
--chdir ${CWD}
--unshare-all
--new-session
--die-with-parent
--on-exit kill
--timeout ${COCOON_TIMEOUT:-600}
--seccomp-profile default
# One line on stderr for each thing denied: the agent reads why, not a guess.
--report-stderr
--env-keep COLORTERM
--env-keep NO_COLOR
)";

}  // namespace

const std::vector<BuiltinProfile>& builtin_profiles() {
    static const std::vector<BuiltinProfile> all = [] {
        std::vector<BuiltinProfile> v;
        for (auto [name, text] :
             {std::pair{"host-ro", kHostRo}, std::pair{"desktop", kDesktop}, std::pair{"build", kBuild},
              std::pair{"ci", kCi}, std::pair{"agent", kAgent}}) {
            const std::string_view first = text.substr(0, text.find('\n'));
            v.push_back({name, first.substr(2), text});
        }
        return v;
    }();
    return all;
}

const BuiltinProfile* find_builtin_profile(std::string_view name) {
    const auto& all = builtin_profiles();
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const BuiltinProfile& p) { return p.name == name; });
    return it == all.end() ? nullptr : &*it;
}

}  // namespace cocoon

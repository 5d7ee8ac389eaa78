// SPDX-License-Identifier: MIT
// THE option table. Adding an option means adding a row here, a handler in
// cli.cc, a paragraph in man/cocoon.1.scd and a test; test_docs.cc checks the man page. [pure]
#include "core/options.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace cocoon {
namespace {

using enum ArgKind;
using enum OptionGroup;
using enum OptionId;

const std::vector<OptionSpec>& table() {
    static const std::vector<OptionSpec> rows = {
        {Help, "--help", {}, General, "Print this help and exit"},
        {Version, "--version", {}, General, "Print the version and exit"},
        {Args, "--args", {{"FD", Fd}}, General, "Parse NUL-separated arguments read from FD"},
        {UseProfile,
         "--profile",
         {{"NAME", Text}},
         General,
         "Expand the options of profile NAME (a file if NAME has a '/'); 'list' lists them"},
        {Argv0, "--argv0", {{"VALUE", Text}}, General, "Pass VALUE to COMMAND as argv[0]"},
        {DryRun,
         "--dry-run",
         {},
         General,
         "Print the plan (namespaces, id maps, mounts in order, environment, filters, lifecycle) and exit"},
        {Json, "--json", {}, General, "With --dry-run or --check: print one JSON object"},
        {Check,
         "--check",
         {},
         General,
         "Report what this machine allows, with fixes, and try a typical sandbox; exit 0 if it starts"},

        {UnshareAll, "--unshare-all", {}, Namespaces, "Unshare every namespace that can be unshared"},
        {ShareNet, "--share-net", {}, Namespaces, "Keep the network namespace (after --unshare-all)"},
        {UnshareUser, "--unshare-user", {}, Namespaces, "Create a new user namespace"},
        {UnshareUserTry,
         "--unshare-user-try",
         {},
         Namespaces,
         "Create a new user namespace if the kernel allows it"},
        {UnshareIpc, "--unshare-ipc", {}, Namespaces, "Create a new IPC namespace"},
        {UnsharePid, "--unshare-pid", {}, Namespaces, "Create a new PID namespace"},
        {UnshareNet, "--unshare-net", {}, Namespaces, "Create a new network namespace with loopback up"},
        {UnshareUts, "--unshare-uts", {}, Namespaces, "Create a new UTS namespace (hostname)"},
        {UnshareCgroup, "--unshare-cgroup", {}, Namespaces, "Create a new cgroup namespace"},
        {UnshareCgroupTry,
         "--unshare-cgroup-try",
         {},
         Namespaces,
         "Create a new cgroup namespace if the kernel supports it"},

        {NetAllow,
         "--net-allow",
         {{"RULE", Text}},
         Namespaces,
         "A network namespace whose TCP reaches only what the rules name: HOST[:PORT], *.DOMAIN, "
         "ADDR[/BITS]; HOST:PORT/udp for UDP"},
        {NetResolve,
         "--net-resolve",
         {{"NAME=ADDRESS", Text}},
         Namespaces,
         "With --net-allow: connect NAME to ADDRESS instead of asking the host's resolver"},
        {NetHostPort,
         "--net-host-port",
         {{"PORT", Number}},
         Namespaces,
         "127.0.0.1:PORT inside reaches the host's (a local server), through --net-allow's relay"},
        {NetUpstreamUrl,
         "--net-upstream",
         {{"URL", Text}},
         Namespaces,
         "With --net-allow: allowed connections go through this HTTP CONNECT proxy (http://HOST:PORT, "
         "unix:PATH)"},
        {Userns, "--userns", {{"FD", Fd}}, Namespaces, "Join the user namespace FD instead of creating one"},
        {Userns2, "--userns2", {{"FD", Fd}}, Namespaces, "Join the user namespace FD after setup"},
        {Pidns,
         "--pidns",
         {{"FD", Fd}},
         Namespaces,
         "Join the pid namespace FD (a new one is made under it with --unshare-pid)"},
        {DisableUserns,
         "--disable-userns",
         {},
         Namespaces,
         "Forbid the sandbox to create further user namespaces"},
        {AssertUsernsDisabled,
         "--assert-userns-disabled",
         {},
         Namespaces,
         "Fail unless creating a user namespace is impossible inside"},

        {Uid, "--uid", {{"UID", Number}}, Identity, "User id inside the sandbox"},
        {Gid, "--gid", {{"GID", Number}}, Identity, "Group id inside the sandbox"},
        {MapAuto,
         "--map-auto",
         {},
         Identity,
         "Also map the caller's subordinate uid and gid ranges (/etc/subuid, /etc/subgid)"},
        {MapUid,
         "--map-uid",
         {{"INSIDE", Number}, {"OUTSIDE", Number}, {"COUNT", Number}},
         Identity,
         "Map COUNT uids from INSIDE onto host uids from OUTSIDE (repeatable)"},
        {MapGid,
         "--map-gid",
         {{"INSIDE", Number}, {"OUTSIDE", Number}, {"COUNT", Number}},
         Identity,
         "Map COUNT gids from INSIDE onto host gids from OUTSIDE (repeatable)"},
        {Hostname,
         "--hostname",
         {{"NAME", Text}},
         Identity,
         "Host name inside the sandbox (needs --unshare-uts)"},

        {Chdir, "--chdir", {{"DIR", Directory}}, Environment, "Change to DIR inside the sandbox"},
        {Setenv, "--setenv", {{"VAR", Name}, {"VALUE", Text}}, Environment, "Set VAR to VALUE"},
        {Unsetenv, "--unsetenv", {{"VAR", Name}}, Environment, "Remove VAR from the environment"},
        {Clearenv, "--clearenv", {}, Environment, "Start from an empty environment (PWD is still set)"},
        {EnvKeep,
         "--env-keep",
         {{"PATTERN", Text}},
         Environment,
         "Keep only PATH, HOME, TERM, LANG, LC_*, TZ, USER and the variables matching PATTERN (a glob)"},

        {Bind, "--bind", {{"SRC", Path}, {"DEST", Path}}, Filesystem, "Bind-mount host SRC on DEST"},
        {BindTry,
         "--bind-try",
         {{"SRC", Path}, {"DEST", Path}},
         Filesystem,
         "Like --bind, skipped if SRC does not exist",
         kMayBeMissing},
        {DevBind,
         "--dev-bind",
         {{"SRC", Path}, {"DEST", Path}},
         Filesystem,
         "Bind-mount SRC on DEST, device nodes allowed",
         kDevices},
        {DevBindTry,
         "--dev-bind-try",
         {{"SRC", Path}, {"DEST", Path}},
         Filesystem,
         "Like --dev-bind, skipped if SRC does not exist",
         kDevices | kMayBeMissing},
        {RoBind,
         "--ro-bind",
         {{"SRC", Path}, {"DEST", Path}},
         Filesystem,
         "Bind-mount SRC on DEST read-only, submounts included",
         kReadOnly},
        {RoBindTry,
         "--ro-bind-try",
         {{"SRC", Path}, {"DEST", Path}},
         Filesystem,
         "Like --ro-bind, skipped if SRC does not exist",
         kReadOnly | kMayBeMissing},
        {BindCreate,
         "--bind-create",
         {{"SRC", Path}, {"DEST", Path}},
         Filesystem,
         "Like --bind, SRC first made on the host (a 0700 directory) if missing"},
        {RemountRo, "--remount-ro", {{"DEST", Path}}, Filesystem, "Make the mount at DEST read-only"},
        {Protect,
         "--protect",
         {{"DEST", Path}},
         Filesystem,
         "Make DEST read-only inside a writable bind, its parents pinned against renames"},
        {ProtectTry,
         "--protect-try",
         {{"DEST", Path}},
         Filesystem,
         "Like --protect, but a DEST that cannot be protected is a warning",
         kMayBeMissing},
        {Mask, "--mask", {{"DEST", Path}}, Filesystem, "Make DEST unreadable: Permission denied, no listing"},
        {AllowSocket,
         "--allow-socket",
         {{"PATH", Path}},
         Filesystem,
         "Let the privileged socket PATH (Docker's, a bus, an ssh agent) be reached through a bind"},
        {MaskTry,
         "--mask-try",
         {{"DEST", Path}},
         Filesystem,
         "Like --mask, but a DEST that cannot be masked is a warning",
         kMayBeMissing},
        {Proc, "--proc", {{"DEST", Path}}, Filesystem, "Mount a procfs on DEST"},
        {Dev, "--dev", {{"DEST", Path}}, Filesystem, "Mount a minimal /dev on DEST"},
        {Tmpfs, "--tmpfs", {{"DEST", Path}}, Filesystem, "Mount an empty tmpfs on DEST"},
        {Dir, "--dir", {{"DEST", Path}}, Filesystem, "Create the directory DEST"},
        {Symlink,
         "--symlink",
         {{"SRC", Text}, {"DEST", Path}},
         Filesystem,
         "Create a symlink at DEST to SRC"},

        {BindFd,
         "--bind-fd",
         {{"FD", Fd}, {"DEST", Path}},
         Filesystem,
         "Bind-mount the object FD refers to on DEST"},
        {RoBindFd,
         "--ro-bind-fd",
         {{"FD", Fd}, {"DEST", Path}},
         Filesystem,
         "Bind-mount the object FD refers to on DEST read-only",
         kReadOnly},
        {File,
         "--file",
         {{"FD", Fd}, {"DEST", Path}},
         Filesystem,
         "Copy the data read from FD to a new file DEST"},
        {BindData,
         "--bind-data",
         {{"FD", Fd}, {"DEST", Path}},
         Filesystem,
         "Copy the data read from FD to a hidden file and bind it on DEST"},
        {RoBindData,
         "--ro-bind-data",
         {{"FD", Fd}, {"DEST", Path}},
         Filesystem,
         "Like --bind-data, read-only",
         kReadOnly},
        {Mqueue, "--mqueue", {{"DEST", Path}}, Filesystem, "Mount a POSIX message queue filesystem on DEST"},
        {OverlaySrc,
         "--overlay-src",
         {{"SRC", Path}},
         Filesystem,
         "Add host SRC as a lower layer of the next overlay (the first one given is the bottom)"},
        {Overlay,
         "--overlay",
         {{"RWSRC", Path}, {"WORKDIR", Path}, {"DEST", Path}},
         Filesystem,
         "Mount an overlay of the --overlay-src layers on DEST, writes going to host RWSRC"},
        {TmpOverlay,
         "--tmp-overlay",
         {{"DEST", Path}},
         Filesystem,
         "Mount an overlay of the --overlay-src layers on DEST, writes going to a hidden tmpfs"},
        {RoOverlay,
         "--ro-overlay",
         {{"DEST", Path}},
         Filesystem,
         "Mount a read-only overlay of the --overlay-src layers on DEST",
         kReadOnly},
        {Chmod,
         "--chmod",
         {{"OCTAL", Number}, {"PATH", Path}},
         Filesystem,
         "Change the mode of PATH to OCTAL"},
        {Perms,
         "--perms",
         {{"OCTAL", Number}},
         Filesystem,
         "Mode of the file or directory the next option creates"},
        {Size, "--size", {{"BYTES", Number}}, Filesystem, "Size of the next --tmpfs"},

        {CapAdd,
         "--cap-add",
         {{"CAP", ArgKind::Capability}},
         Process,
         "Add capability CAP (or ALL) in the sandbox"},
        {CapDrop,
         "--cap-drop",
         {{"CAP", ArgKind::Capability}},
         Process,
         "Drop capability CAP (or ALL) in the sandbox"},
        {Seccomp,
         "--seccomp",
         {{"FD", Fd}},
         Process,
         "Install the compiled seccomp filter read from FD (last wins)"},
        {AddSeccompFd,
         "--add-seccomp-fd",
         {{"FD", Fd}},
         Process,
         "Also install the compiled seccomp filter read from FD (repeatable, in order)"},
        {SeccompProfile,
         "--seccomp-profile",
         {{"PROFILE", ArgKind::Profile}},
         Process,
         "Install a seccomp policy: default, none, a policy file or a Docker/OCI JSON profile (repeatable)"},
        {SeccompExport,
         "--seccomp-export",
         {{"FILE", Path}},
         Process,
         "Write the --seccomp-profile filter as BPF to FILE (for bwrap --seccomp) and exit"},
        {ExecLabel, "--exec-label", {{"LABEL", Text}}, Process, "SELinux label to run COMMAND with"},
        {FileLabel,
         "--file-label",
         {{"LABEL", Text}},
         Process,
         "SELinux label of the sandbox's tmpfs mounts"},
        {NewSession, "--new-session", {}, Process, "Start a new terminal session (setsid)"},
        {Pty,
         "--pty",
         {},
         Process,
         "Run COMMAND on a new pseudo-terminal of its own in a new session; cocoon relays it"},
        {DieWithParent, "--die-with-parent", {}, Process, "Kill the sandbox when cocoon's parent dies"},
        {AsPid1, "--as-pid-1", {}, Process, "Run COMMAND as PID 1, without a reaper (needs --unshare-pid)"},
        {OnExit,
         "--on-exit",
         {{"MODE", ArgKind::Choice, "detach kill wait"}},
         Process,
         "When COMMAND exits: detach (leave the rest running), kill (the rest) or wait (for the rest)"},
        {Timeout,
         "--timeout",
         {{"SECONDS", Number}},
         Process,
         "SIGTERM to COMMAND after SECONDS, SIGKILL to the sandbox after --kill-after; exit 124"},
        {KillAfter,
         "--kill-after",
         {{"SECONDS", Number}},
         Process,
         "Grace after --timeout's SIGTERM (default 5)"},
        {Rlimit,
         "--rlimit",
         {{"NAME", ArgKind::Choice,
           "AS CORE CPU DATA FSIZE LOCKS MEMLOCK MSGQUEUE NICE NOFILE NPROC RSS RTPRIO RTTIME SIGPENDING "
           "STACK"},
          {"VALUE", Text}},
         Process,
         "Set resource limit NAME of COMMAND to SOFT[:HARD] or unlimited (repeatable)"},

        {InfoFd,
         "--info-fd",
         {{"FD", Fd}},
         Coordination,
         "Write the sandbox's pid and namespaces as JSON to FD"},
        {JsonStatusFd,
         "--json-status-fd",
         {{"FD", Fd}},
         Coordination,
         "Write JSON lines to FD: the pid and namespaces, then the exit code"},
        {ReportFd,
         "--report-fd",
         {{"FD", Fd}},
         Coordination,
         "Write JSON lines to FD: what --net-allow and --seccomp-profile denied, then how it ended"},
        {ReportStderr,
         "--report-stderr",
         {},
         Coordination,
         "Write one readable line to stderr for each thing denied (network, system calls)"},
        {SyncFd, "--sync-fd", {{"FD", Fd}}, Coordination, "Keep FD open while the sandbox lives"},
        {BlockFd,
         "--block-fd",
         {{"FD", Fd}},
         Coordination,
         "Wait for a byte on FD after setup, before running COMMAND"},
        {UsernsBlockFd,
         "--userns-block-fd",
         {{"FD", Fd}},
         Coordination,
         "Wait for a byte on FD before setup, so that another process can write the id maps"},
        {LockFile,
         "--lock-file",
         {{"DEST", Path}},
         Coordination,
         "Hold a read lock on DEST while the sandbox lives"},
        {LevelPrefix,
         "--level-prefix",
         {},
         Coordination,
         "Prefix messages with their syslog level (<3>, <4>)"},
    };
    return rows;
}

}  // namespace

std::span<const OptionSpec> option_table() {
    return table();
}

const OptionSpec* find_option(std::string_view name) {
    for (const OptionSpec& spec : table())
        if (spec.name == name)
            return &spec;
    return nullptr;
}

namespace {

// Levenshtein distance, for near misses of option names (short strings).
std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string unknown_option_hint(std::string_view word) {
    if (word == "-h")
        return "see --help";
    if (const std::size_t eq = word.find('='); eq != std::string_view::npos) {
        if (const OptionSpec* spec = find_option(word.substr(0, eq)); spec != nullptr && !spec->args.empty())
            return fmt::format("options take their values as separate arguments: {} {}", spec->name,
                               word.substr(eq + 1));
    }
    const OptionSpec* best = nullptr;
    std::size_t best_distance = 0;
    for (const OptionSpec& spec : table()) {
        const std::size_t d = distance(word, spec.name);
        if (best == nullptr || d < best_distance) {
            best = &spec;
            best_distance = d;
        }
    }
    // A typo or two, more for long names; not a different option altogether.
    if (best != nullptr && best_distance > 0 && best_distance <= std::max<std::size_t>(2, word.size() / 5))
        return fmt::format("did you mean {}?", best->name);
    return "";
}

namespace {

// Words of `text` on lines of at most `width` columns, each after `indent`.
std::string wrapped(std::string_view text, std::size_t indent, std::size_t width) {
    std::string out;
    std::size_t column = indent;
    bool first = true;
    while (!text.empty()) {
        const std::size_t space = text.find(' ');
        const std::string_view word = text.substr(0, space);
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
        if (!first && column + 1 + word.size() > width) {
            out += "\n" + std::string(indent, ' ');
            column = indent;
            first = true;
        }
        if (!first) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
        first = false;
    }
    return out;
}

}  // namespace

std::string render_help(std::string_view argv0) {
    // 80 columns: the option and its arguments in 26, the text wrapped after
    // them (or on the next line when the option is longer).
    constexpr std::size_t kLeft = 26, kWidth = 80, kText = 2 + kLeft + 1;
    std::string out = fmt::format(
        "usage: {} [OPTIONS...] [--] COMMAND [ARGS...]\n"
        "Runs COMMAND in a sandbox built from the options, in command-line order.\n"
        "man cocoon has the whole story.\n",
        argv0);
    constexpr std::pair<OptionGroup, const char*> kGroups[] = {{OptionGroup::General, "General"},
                                                               {OptionGroup::Namespaces, "Namespaces"},
                                                               {OptionGroup::Identity, "Ids"},
                                                               {OptionGroup::Environment, "Environment"},
                                                               {OptionGroup::Filesystem, "Filesystem"},
                                                               {OptionGroup::Process, "Process and security"},
                                                               {OptionGroup::Coordination, "Coordination"}};
    for (const auto& [group, title] : kGroups) {
        out += fmt::format("\n{}:\n", title);
        for (const OptionSpec& spec : table()) {
            if (spec.group != group)
                continue;
            std::string left(spec.name);
            for (const OptionArg& arg : spec.args) left += fmt::format(" {}", arg.name);
            if (left.size() > kLeft)
                out += fmt::format("  {}\n{}{}\n", left, std::string(kText, ' '),
                                   wrapped(spec.help, kText, kWidth));
            else
                out += fmt::format("  {:<{}} {}\n", left, kLeft, wrapped(spec.help, kText, kWidth));
        }
    }
    return out;
}

}  // namespace cocoon

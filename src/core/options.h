// SPDX-License-Identifier: MIT
// THE option table: one row per option drives the parser, --help, the completions
// and the test that the man page documents every option. [pure]
#pragma once
#include <span>
#include <string_view>
#include <vector>

namespace cocoon {

// What an option argument is; decides completion and validation.
enum class ArgKind { Path, Directory, Fd, Number, Name, Text, Capability, Profile, Choice };

enum class OptionGroup { General, Namespaces, Identity, Environment, Filesystem, Process, Coordination };

enum class OptionId {
    Help,
    Version,
    Args,
    Argv0,
    UnshareUser,
    UnshareUserTry,
    UnshareIpc,
    UnsharePid,
    UnshareNet,
    UnshareUts,
    UnshareCgroup,
    UnshareCgroupTry,
    UnshareAll,
    Userns,
    Userns2,
    Pidns,
    DisableUserns,
    AssertUsernsDisabled,
    ShareNet,
    Uid,
    Gid,
    Hostname,
    MapAuto,
    MapUid,
    MapGid,
    Chdir,
    Setenv,
    Unsetenv,
    Clearenv,
    Bind,
    BindTry,
    RoBind,
    RoBindTry,
    DevBind,
    DevBindTry,
    RemountRo,
    Tmpfs,
    Proc,
    Dev,
    Dir,
    Symlink,
    OverlaySrc,
    Overlay,
    TmpOverlay,
    RoOverlay,
    Chmod,
    Perms,
    Size,
    File,
    BindData,
    RoBindData,
    Mqueue,
    BindFd,
    RoBindFd,
    CapAdd,
    CapDrop,
    Seccomp,
    AddSeccompFd,
    SeccompProfile,
    SeccompExport,
    DryRun,
    Json,
    EnvKeep,
    UseProfile,
    BindCreate,
    Protect,
    ProtectTry,
    Mask,
    MaskTry,
    AllowSocket,
    Pty,
    NetAllow,
    NetResolve,
    NetHostPort,
    NetUpstreamUrl,
    ReportFd,
    ReportStderr,
    Check,
    SyncFd,
    BlockFd,
    UsernsBlockFd,
    InfoFd,
    JsonStatusFd,
    LockFile,
    LevelPrefix,
    ExecLabel,
    FileLabel,
    NewSession,
    DieWithParent,
    AsPid1,
    OnExit,
    Timeout,
    KillAfter,
    Rlimit,
};

struct OptionArg {
    std::string_view name;  // as --help shows it: "SRC", "DEST", "FD"
    ArgKind kind;
    std::string_view choices = {};  // Choice: the words it accepts, space-separated
};

// What a filesystem option means beyond its kind, read by the parser
// (cli.cc add_fs) rather than guessed from the option's spelling.
enum OptionTrait : unsigned {
    kReadOnly = 1U << 0,      // --ro-bind, --ro-bind-fd, --ro-bind-data, --ro-overlay
    kDevices = 1U << 1,       // --dev-bind: device nodes usable
    kMayBeMissing = 1U << 2,  // the -try variants: a missing source is skipped
};

struct OptionSpec {
    OptionId id;
    std::string_view name;  // "--ro-bind"
    std::vector<OptionArg> args;
    OptionGroup group;
    std::string_view help;
    unsigned traits = 0;  // OptionTrait bits
};

// Every option, in --help order.
std::span<const OptionSpec> option_table();

// The row for `name`, or nullptr. Exact match only: bwrap has no abbreviations
// and no --opt=value forms (bwrap(1)).
const OptionSpec* find_option(std::string_view name);

// What to say under "Unknown option WORD": the option it was probably meant to
// be (a near miss, "--uid=0", "-h"), or "".
std::string unknown_option_hint(std::string_view word);

// The --help text; `argv0` is printed as given, as bwrap does.
std::string render_help(std::string_view argv0);

}  // namespace cocoon

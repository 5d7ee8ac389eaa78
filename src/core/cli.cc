// SPDX-License-Identifier: MIT
// argv -> Config. [pure]
#include "core/cli.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>

#include <fmt/format.h>

#include "base/strings.h"
#include "core/caps.h"
#include "core/options.h"
#include "core/profile.h"

namespace cocoon {
namespace {

class Parser {
public:
    // `command_name`: COMMAND's basename, for ${COMMAND} in profiles.
    Parser(std::vector<std::string> env, const CliIo& io, std::string command_name)
        : io_(io), command_name_(std::move(command_name)) {
        config_.env = std::move(env);
    }
    void reserve_fs(std::size_t n) { config_.fs.reserve(n); }

    // Where the words being parsed come from: the command line, an --args file,
    // or a profile (whose words carry their file and line).
    enum class From { Argv, ArgsFile, Profile };

    // Parses options from `words`; returns the index of the first non-option word
    // (the COMMAND) or words.size().
    Result<std::size_t> parse_options(const std::vector<std::string>& words, From from,
                                      const std::vector<ProfileWord>* where = nullptr) {
        std::size_t i = 0;
        // An error inside a profile names its file and line first.
        const auto located = [&](Error e) {
            if (where != nullptr && i < where->size())
                e.context = fmt::format("{}: {}", (*where)[i].where, e.context);
            return fail(std::move(e));
        };
        while (i < words.size()) {
            const std::string& word = words[i];
            if (from == From::Profile && (word == "--" || word.empty() || word[0] != '-'))
                return located(Error{0,
                                     fmt::format("'{}' is not an option: a profile holds options only", word),
                                     "the COMMAND goes on the command line, after the options"});
            if (word == "--") {
                if (from == From::ArgsFile)  // a "--" inside the file ends the file only
                    return words.size();
                return i + 1;
            }
            if (word.empty() || word[0] != '-')
                return i;
            const OptionSpec* spec = find_option(word);
            if (spec == nullptr)
                return located(Error{0, fmt::format("Unknown option {}", word), unknown_option_hint(word)});
            if (spec->id == OptionId::Argv0 && config_.argv0)  // bwrap treats a repeat as unknown
                return located(Error::usage(fmt::format("Unknown option {}", word)));
            const std::size_t arity = spec->args.size();
            if (words.size() - i - 1 < arity) {
                return located(Error::usage(fmt::format("{} takes {}", word,
                                                        arity == 1   ? "an argument"
                                                        : arity == 2 ? "two arguments"
                                                                     : "three arguments")));
            }
            std::vector<std::string> values(words.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                            words.begin() + static_cast<std::ptrdiff_t>(i + 1 + arity));
            if (spec->id == OptionId::Args) {
                if (from != From::Argv)
                    return located(Error::usage("--args not supported in arguments file"));
                TRY(handle_args_file(values[0]));
                if (config_.help || config_.version)
                    return words.size();
            } else if (spec->id == OptionId::UseProfile) {
                if (from == From::Profile)
                    return located(Error{0, "--profile inside a profile", "write 'include NAME' instead"});
                if (from == From::ArgsFile)
                    return located(Error::usage("--profile not supported in arguments file"));
                TRY(handle_profile(values[0]));
            } else {
                if (Status s = check_modifiers(spec->id); !s)
                    return located(std::move(s).error());
                if (Status s = handle(*spec, values); !s)
                    return located(std::move(s).error());
            }
            i += 1 + arity;
            if (config_.help || config_.version)  // bwrap acts on these at once, ignoring the rest
                return words.size();
        }
        return i;
    }

    Result<Config> finish(const std::vector<std::string>& words, std::size_t command_start) {
        if (config_.help || config_.version)
            return std::move(config_);
        TRY(check_modifiers(std::nullopt));
        if (config_.list_profiles) {  // a listing: no sandbox, so no COMMAND
            if (words.size() > command_start)
                return fail(Error::usage(
                    fmt::format("--profile list runs no COMMAND, but '{}' was given", words[command_start])));
            return std::move(config_);
        }
        if (config_.json && !config_.dry_run && !config_.check)
            return fail(Error::usage("--json changes how --dry-run prints the plan: add --dry-run"));
        if (config_.check) {  // a diagnosis: no sandbox of the caller's, so no COMMAND
            if (words.size() > command_start)
                return fail(Error::usage(
                    fmt::format("--check runs no COMMAND, but '{}' was given", words[command_start])));
            return std::move(config_);
        }
        config_.command.assign(words.begin() + static_cast<std::ptrdiff_t>(command_start), words.end());
        if (config_.seccomp_export) {  // a compiler run: no sandbox, so no COMMAND
            if (!config_.command.empty())
                return fail(
                    Error::usage(fmt::format("--seccomp-export {} runs no COMMAND, but '{}' was given",
                                             *config_.seccomp_export, config_.command.front())));
            if (config_.seccomp_profiles.empty())
                return fail(Error::usage("--seccomp-export needs a --seccomp-profile to compile"));
            if (config_.seccomp_profiles.size() > 1)
                return fail(Error::usage(
                    "--seccomp-export writes one filter: give exactly one --seccomp-profile (bwrap --seccomp "
                    "takes one program)"));
            return std::move(config_);
        }
        if (config_.command.empty())
            return fail(Error::usage(""));
        return std::move(config_);
    }

    std::size_t count_ = 0;

private:
    Status handle_args_file(const std::string& fd_text) {
        const int fd = TRY(parse_fd_arg(fd_text));
        Result<std::string> data = io_.read_fd(fd);
        if (!data)
            return fail(Error{data.error().errnum, "Can't read --args data"});
        std::vector<std::string> words;
        if (!data->empty()) {
            std::string_view text = *data;
            if (text.back() == '\0')
                text.remove_suffix(1);
            for (std::string_view w : split(text, '\0')) words.emplace_back(w);
        }
        count_ += words.size();
        if (count_ > io_.max_args)
            return fail(Error::usage(fmt::format("Exceeded maximum number of arguments {}", io_.max_args)));
        // A non-option word inside the file ends the file: the rest is ignored and
        // the COMMAND must be on the real argv (observed on bwrap 0.11.1).
        TRY(parse_options(words, From::ArgsFile));
        return {};
    }

    // --profile NAME: its words are parsed here, as if written in its place.
    Status handle_profile(const std::string& name) {
        if (name == "list") {
            config_.list_profiles = true;
            return {};
        }
        if (!io_.profiles.find)
            return fail(Error::usage("--profile: profiles cannot be read here"));
        const ProfileHost host{
            .find = io_.profiles.find,
            .file_type = io_.profiles.file_type,
            .variable = [this](std::string_view var) -> std::optional<std::string> {
                if (var == "COMMAND")
                    return command_name_;
                if (io_.profiles.variable)
                    if (std::optional<std::string> v = io_.profiles.variable(var))
                        return v;
                for (const std::string& e : config_.env)
                    if (e.size() > var.size() && e.compare(0, var.size(), var) == 0 && e[var.size()] == '=')
                        return e.substr(var.size() + 1);
                return std::nullopt;
            }};
        const auto named = [&name](Error e) {
            e.context = fmt::format("--profile {}: {}", name, e.context);
            return fail(std::move(e));
        };
        Result<std::vector<ProfileWord>> expanded = expand_profile(name, host);
        if (!expanded)
            return named(std::move(expanded).error());
        std::vector<std::string> words;
        words.reserve(expanded->size());
        for (const ProfileWord& w : *expanded) words.push_back(w.word);
        count_ += words.size();
        if (count_ > io_.max_args)
            return fail(Error::usage(fmt::format("Exceeded maximum number of arguments {}", io_.max_args)));
        std::string shown;
        for (const std::string& w : words) shown += " " + shell_quote(w);
        config_.profiles.push_back(fmt::format("{}:{}", name, shown));
        if (Result<std::size_t> parsed = parse_options(words, From::Profile, &*expanded); !parsed)
            return named(std::move(parsed).error());
        return {};
    }

    void warn_repeat(bool repeated, std::string_view flag) {
        if (!repeated)
            return;
        std::string text = fmt::format("Only the last {} option will take effect", flag);
        if (io_.warn)
            io_.warn(text);
        else
            config_.warnings.push_back(std::move(text));
    }

    // --perms and --size modify the next option only, and only one that uses them
    // (bwrap(1), --perms and --size). `next` is the option about to be handled, nullopt
    // at the end of the command line.
    Status check_modifiers(std::optional<OptionId> next) const {
        const auto is = [&](std::initializer_list<OptionId> ids) {
            return next && std::find(ids.begin(), ids.end(), *next) != ids.end();
        };
        if (!pending_layers_.empty() &&
            !is({OptionId::OverlaySrc, OptionId::Overlay, OptionId::TmpOverlay, OptionId::RoOverlay}))
            return fail(
                Error::usage("--overlay-src must be followed by another --overlay-src or one of --overlay, "
                             "--tmp-overlay, or --ro-overlay"));
        if (is({OptionId::Perms, OptionId::Size}))
            return {};
        if (pending_perms_ &&
            !is({OptionId::Tmpfs, OptionId::Dir, OptionId::File, OptionId::BindData, OptionId::RoBindData}))
            return fail(Error::usage("--perms must be followed by an option that creates a file"));
        if (pending_size_ && !is({OptionId::Tmpfs}))
            return fail(Error::usage("--size must be followed by --tmpfs"));
        return {};
    }

    // An fd argument must be open now, before anything has been done (HACKING.md, security rule 6):
    // the messages are bwrap's for the same failure found later.
    Result<int> open_fd(const std::string& text, const std::string& closed_message) const {
        const int fd = TRY(parse_fd_arg(text));
        if (io_.fd_is_open && !io_.fd_is_open(fd))
            return fail(Error{EBADF, closed_message});
        return fd;
    }

    // A last-wins fd option: warn on a repeat, and the fd must be open.
    Status set_fd(std::optional<int>& slot, const OptionSpec& spec, const std::string& text) {
        warn_repeat(slot.has_value(), spec.name);
        slot = TRY(open_fd(text, fmt::format("{} {}", spec.name, text)));
        return {};
    }

    void add_fs(const OptionSpec& spec, FsKind kind, std::string source, std::string dest) {
        FsRequest req{.flag = std::string(spec.name),
                      .kind = kind,
                      .source = std::move(source),
                      .dest = std::move(dest)};
        if (kind == FsKind::Tmpfs || kind == FsKind::Dir || kind == FsKind::File ||
            kind == FsKind::BindData) {
            req.perms = pending_perms_;
            pending_perms_.reset();
        }
        if (kind == FsKind::Tmpfs) {
            req.size = pending_size_;
            pending_size_.reset();
        }
        req.read_only = (spec.traits & kReadOnly) != 0;
        req.allow_devices = (spec.traits & kDevices) != 0;
        req.allow_missing = (spec.traits & kMayBeMissing) != 0;
        config_.fs.push_back(std::move(req));
    }

    Status handle(const OptionSpec& spec, const std::vector<std::string>& v) {
        Config& c = config_;
        switch (spec.id) {
            case OptionId::Help:
                c.help = true;
                break;
            case OptionId::Version:
                c.version = true;
                break;
            case OptionId::Args:
            case OptionId::UseProfile:
                break;  // handled by the caller, which knows the nesting
            case OptionId::Argv0:
                c.argv0 = v[0];
                break;
            case OptionId::UnshareUser:
                c.unshare_user = true;
                break;
            case OptionId::UnshareUserTry:
                c.unshare_user_try = true;
                break;
            case OptionId::UnshareIpc:
                c.unshare_ipc = true;
                break;
            case OptionId::UnsharePid:
                c.unshare_pid = true;
                break;
            case OptionId::UnshareNet:
                c.unshare_net = true;
                break;
            case OptionId::UnshareUts:
                c.unshare_uts = true;
                break;
            case OptionId::UnshareCgroup:
                c.unshare_cgroup = true;
                break;
            case OptionId::UnshareCgroupTry:
                c.unshare_cgroup_try = true;
                break;
            case OptionId::UnshareAll:
                c.unshare_user_try = c.unshare_ipc = c.unshare_pid = c.unshare_net = c.unshare_uts =
                    c.unshare_cgroup_try = true;
                break;
            case OptionId::ShareNet:
                c.unshare_net = false;
                c.share_net = true;
                break;
            case OptionId::Uid:
                warn_repeat(c.uid.has_value(), spec.name);
                c.uid = TRY(parse_id(v[0], "uid"));
                break;
            case OptionId::Gid:
                warn_repeat(c.gid.has_value(), spec.name);
                c.gid = TRY(parse_id(v[0], "gid"));
                break;
            case OptionId::MapAuto:
                c.map_auto = true;
                break;
            case OptionId::MapUid:
                c.map_uid.push_back(TRY(parse_map(spec.name, v)));
                break;
            case OptionId::MapGid:
                c.map_gid.push_back(TRY(parse_map(spec.name, v)));
                break;
            case OptionId::Hostname:
                warn_repeat(c.hostname.has_value(), spec.name);
                c.hostname = v[0];
                break;
            case OptionId::Chdir:
                warn_repeat(c.chdir.has_value(), spec.name);
                c.chdir = v[0];
                break;
            case OptionId::Setenv: {
                const std::string name = TRY(checked_env_name("--setenv", v[0]));
                set_env(c.env, name, &v[1]);
                c.env_set.push_back(name);
                break;
            }
            case OptionId::Unsetenv: {
                const std::string name = TRY(checked_env_name("--unsetenv", v[0]));
                set_env(c.env, name, nullptr);
                break;
            }
            case OptionId::Clearenv:
                c.env.clear();
                break;
            case OptionId::EnvKeep:
                if (v[0].empty() || v[0].find('=') != std::string::npos)
                    return fail(Error::usage(fmt::format(
                        "--env-keep: '{}' is not a pattern of variable names (a glob such as 'GIT_*')",
                        v[0])));
                c.env_keep.push_back(v[0]);
                break;
            case OptionId::Protect:
            case OptionId::ProtectTry:
                add_fs(spec, FsKind::Protect, "", v[0]);
                break;
            case OptionId::AllowSocket:
                c.allow_sockets.push_back(v[0]);
                break;
            case OptionId::Mask:
            case OptionId::MaskTry:
                add_fs(spec, FsKind::Mask, "", v[0]);
                break;
            case OptionId::BindCreate:
                add_fs(spec, FsKind::Bind, v[0], v[1]);
                c.fs.back().create_source = true;
                break;
            case OptionId::Bind:
            case OptionId::BindTry:
            case OptionId::RoBind:
            case OptionId::RoBindTry:
            case OptionId::DevBind:
            case OptionId::DevBindTry: {
                // /proc/self/fd/N names the caller's fd N; the process that
                // looks it up holds cocoon's own fds too, so N must be open now.
                if (const std::optional<int> fd = self_fd(v[0]);
                    fd && io_.fd_is_open && !io_.fd_is_open(*fd)) {
                    if ((spec.traits & kMayBeMissing) != 0)
                        break;
                    return fail(Error{ENOENT, fmt::format("Can't find source path {}", v[0])});
                }
                add_fs(spec, FsKind::Bind, v[0], v[1]);
                break;
            }
            case OptionId::RemountRo:
                add_fs(spec, FsKind::RemountRo, "", v[0]);
                break;
            case OptionId::Tmpfs:
                add_fs(spec, FsKind::Tmpfs, "", v[0]);
                break;
            case OptionId::Proc:
                add_fs(spec, FsKind::Proc, "", v[0]);
                break;
            case OptionId::Dev:
                add_fs(spec, FsKind::Dev, "", v[0]);
                break;
            case OptionId::Dir:
                add_fs(spec, FsKind::Dir, "", v[0]);
                break;
            case OptionId::Symlink:
                add_fs(spec, FsKind::Symlink, v[0], v[1]);
                break;
            case OptionId::Chmod: {
                const std::uint32_t mode = TRY(parse_mode("--chmod", v[0]));
                add_fs(spec, FsKind::Chmod, "", v[1]);
                c.fs.back().perms = mode;
                break;
            }
            case OptionId::Perms:
                if (pending_perms_)
                    return fail(Error::usage("--perms given twice for the same action"));
                pending_perms_ = TRY(parse_mode("--perms", v[0]));
                break;
            case OptionId::Size:
                if (pending_size_)
                    return fail(Error::usage("--size given twice for the same action"));
                pending_size_ = TRY(parse_size(v[0]));
                break;
            case OptionId::File:
            case OptionId::BindData:
            case OptionId::RoBindData: {
                const int fd = TRY(open_fd(v[0], fmt::format("Can't write data to file {}", v[1])));
                add_fs(spec, spec.id == OptionId::File ? FsKind::File : FsKind::BindData, "", v[1]);
                c.fs.back().fd = fd;
                break;
            }
            case OptionId::BindFd:
            case OptionId::RoBindFd: {
                const int fd = TRY(open_fd(v[0], fmt::format("Can't bind fd {} on {}", v[0], v[1])));
                add_fs(spec, FsKind::BindFd, "", v[1]);
                c.fs.back().fd = fd;
                break;
            }
            case OptionId::OverlaySrc:
                pending_layers_.push_back(v[0]);
                break;
            case OptionId::Overlay:
            case OptionId::TmpOverlay:
            case OptionId::RoOverlay: {
                const std::size_t needed = spec.id == OptionId::RoOverlay ? 2 : 1;
                if (pending_layers_.size() < needed)
                    return fail(Error::usage(fmt::format("{} requires at least {} --overlay-src", spec.name,
                                                         needed == 2 ? "two" : "one")));
                const bool rw = spec.id == OptionId::Overlay;
                add_fs(spec,
                       rw                                ? FsKind::Overlay
                       : spec.id == OptionId::TmpOverlay ? FsKind::TmpOverlay
                                                         : FsKind::RoOverlay,
                       rw ? v[0] : "", v.back());
                c.fs.back().layers = std::move(pending_layers_);
                pending_layers_.clear();
                if (rw)
                    c.fs.back().work = v[1];
                break;
            }
            case OptionId::Mqueue:
                add_fs(spec, FsKind::Mqueue, "", v[0]);
                break;
            case OptionId::CapAdd:
            case OptionId::CapDrop: {
                Config::CapOp op{.add = spec.id == OptionId::CapAdd};
                std::string upper = v[0];
                for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                if (upper == "ALL") {
                    op.all_caps = true;
                } else {
                    const auto cap = parse_cap_name(v[0]);
                    if (!cap)
                        return fail(Error::usage(fmt::format("unknown cap: {}", v[0])));
                    op.cap = *cap;
                }
                c.cap_ops.push_back(op);
                break;
            }
            case OptionId::Seccomp: {
                if (!c.seccomp_filters.empty())
                    return fail(Error::usage("--seccomp cannot be combined with --add-seccomp-fd"));
                warn_repeat(c.seccomp_fd.has_value(), spec.name);
                c.seccomp_fd = TRY(open_fd(v[0], "Can't read seccomp data"));
                break;
            }
            case OptionId::AddSeccompFd: {
                if (c.seccomp_fd)
                    return fail(Error::usage("--add-seccomp-fd cannot be combined with --seccomp"));
                const int fd = TRY(parse_fd_arg(v[0]));
                c.seccomp_filters.push_back(TRY(checked_seccomp_data(io_.read_fd(fd))));
                break;
            }
            case OptionId::OnExit:
                if (v[0] == "detach")
                    c.on_exit = Config::OnExit::Detach;
                else if (v[0] == "kill")
                    c.on_exit = Config::OnExit::Kill;
                else if (v[0] == "wait")
                    c.on_exit = Config::OnExit::Wait;
                else
                    return fail(Error::usage(
                        fmt::format("--on-exit: '{}' is not a mode: use detach, kill or wait", v[0])));
                break;
            case OptionId::Timeout:
            case OptionId::KillAfter: {
                const auto ns = parse_seconds(v[0]);
                if (!ns)
                    return fail(Error::usage(
                        fmt::format("{}: '{}' is not a number of seconds above 0 (decimals allowed: 0.5)",
                                    spec.name, v[0])));
                if (spec.id == OptionId::Timeout) {
                    c.timeout_ns = *ns;
                } else {
                    c.kill_after_ns = *ns;
                }
                break;
            }
            case OptionId::Rlimit: {
                const auto resource = rlimit_resource(v[0]);
                if (!resource)
                    return fail(
                        Error::usage(fmt::format("--rlimit: unknown limit '{}': use a name of prlimit(1) "
                                                 "such as NOFILE, NPROC, AS, CPU",
                                                 v[0])));
                const auto value = parse_rlimit_value(v[1]);
                if (!value)
                    return fail(Error::usage(fmt::format(
                        "--rlimit {} {}: expected SOFT[:HARD], each a number or 'unlimited'", v[0], v[1])));
                if (value->soft > value->hard)
                    return fail(Error::usage(
                        fmt::format("--rlimit {} {}: the soft limit is above the hard limit", v[0], v[1])));
                c.rlimits.push_back({*resource, *value, fmt::format("{} {}", v[0], v[1])});
                break;
            }
            case OptionId::SeccompProfile:
                if (v[0].empty())
                    return fail(
                        Error::usage("--seccomp-profile: an empty PROFILE; give default, none or a file"));
                c.seccomp_profiles.push_back(v[0]);
                break;
            case OptionId::Json:
                c.json = true;
                break;
            case OptionId::Check:
                c.check = true;
                break;
            case OptionId::DryRun:
                c.dry_run = true;
                break;
            case OptionId::SeccompExport:
                warn_repeat(c.seccomp_export.has_value(), spec.name);
                c.seccomp_export = v[0];
                break;
            case OptionId::Userns:
                warn_repeat(c.join.userns_fd.has_value(), spec.name);
                c.join.userns_fd = TRY(open_fd(v[0], "Joining specified user namespace failed"));
                break;
            case OptionId::Userns2:
                warn_repeat(c.join.userns2_fd.has_value(), spec.name);
                c.join.userns2_fd = TRY(open_fd(v[0], "Joining specified user namespace failed"));
                break;
            case OptionId::Pidns:
                warn_repeat(c.join.pidns_fd.has_value(), spec.name);
                c.join.pidns_fd = TRY(open_fd(v[0], "Setting pidns failed"));
                break;
            case OptionId::DisableUserns:
                c.disable_userns = true;
                break;
            case OptionId::AssertUsernsDisabled:
                c.assert_userns_disabled = true;
                break;
            case OptionId::SyncFd:
                return set_fd(c.coord.sync_fd, spec, v[0]);
            case OptionId::BlockFd:
                return set_fd(c.coord.block_fd, spec, v[0]);
            case OptionId::UsernsBlockFd:
                return set_fd(c.coord.userns_block_fd, spec, v[0]);
            case OptionId::InfoFd:
                return set_fd(c.coord.info_fd, spec, v[0]);
            case OptionId::JsonStatusFd:
                return set_fd(c.coord.json_status_fd, spec, v[0]);
            case OptionId::LockFile:
                c.coord.lock_files.push_back(v[0]);
                break;
            case OptionId::LevelPrefix:
                c.level_prefix = true;
                break;
            case OptionId::ExecLabel:
                warn_repeat(c.labels.exec.has_value(), spec.name);
                c.labels.exec = v[0];
                break;
            case OptionId::FileLabel:
                warn_repeat(c.labels.file.has_value(), spec.name);
                c.labels.file = v[0];
                break;
            case OptionId::NetAllow:
                c.net_egress = true;
                c.net.rules.push_back(TRY(parse_net_rule(v[0])));
                break;
            case OptionId::NetResolve:
                c.net_egress = true;
                c.net.resolve.push_back(TRY(parse_net_resolve(v[0])));
                break;
            case OptionId::NetHostPort: {
                const std::optional<std::uint64_t> port = parse_decimal(v[0], 65535);
                if (!port || *port == 0)
                    return fail(
                        Error::usage(fmt::format("--net-host-port {}: expected a port, 1 to 65535", v[0])));
                c.net_egress = true;
                c.net.rules.push_back(TRY(parse_net_rule(fmt::format("127.0.0.1:{}", *port))));
                break;
            }
            case OptionId::NetUpstreamUrl:
                c.net_egress = true;
                c.net.upstream = TRY(parse_net_upstream(v[0]));
                break;
            case OptionId::ReportFd:
                return set_fd(c.coord.report_fd, spec, v[0]);
            case OptionId::ReportStderr:
                c.coord.report_stderr = true;
                break;
            case OptionId::Pty:
                c.pty = true;
                break;
            case OptionId::NewSession:
                c.new_session = true;
                break;
            case OptionId::DieWithParent:
                c.die_with_parent = true;
                break;
            case OptionId::AsPid1:
                c.as_pid_1 = true;
                break;
        }
        return {};
    }

    const CliIo& io_;
    std::string command_name_;
    Config config_;
    std::optional<std::uint32_t> pending_perms_;
    std::optional<std::uint64_t> pending_size_;
    std::vector<std::string> pending_layers_;
};

// COMMAND's basename, found as parse_options will find it: the first word
// after the options and their arguments, or after "--" ("" if none).
std::string command_basename(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size();) {
        const std::string& w = args[i];
        if (w == "--" || w.empty() || w[0] != '-') {
            const std::size_t at = w == "--" ? i + 1 : i;
            if (at >= args.size())
                return {};
            const std::string& command = args[at];
            return command.substr(command.rfind('/') == std::string::npos ? 0 : command.rfind('/') + 1);
        }
        const OptionSpec* spec = find_option(w);
        if (spec == nullptr)
            return {};
        i += 1 + spec->args.size();
    }
    return {};
}

}  // namespace

Result<Config> parse_cli(const std::vector<std::string>& args, std::vector<std::string> env,
                         const CliIo& io) {
    if (args.size() > io.max_args)
        return fail(Error::usage(fmt::format("Exceeded maximum number of arguments {}", io.max_args)));
    Parser parser(std::move(env), io, command_basename(args));
    parser.count_ = args.size();
    // An upper bound (every filesystem option takes an argument): one allocation
    // instead of a dozen as thousands of binds grow the vector.
    parser.reserve_fs(args.size() / 2);
    const std::size_t command_start = TRY(parser.parse_options(args, Parser::From::Argv));
    return parser.finish(args, command_start);
}

}  // namespace cocoon

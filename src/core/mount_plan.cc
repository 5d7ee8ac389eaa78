// SPDX-License-Identifier: MIT
// Filesystem requests -> ordered primitive mount operations. [pure]
#include "core/mount_plan.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <set>

#include <fmt/format.h>

#include "core/path.h"

namespace cocoon {
namespace {

std::string join(const std::string& dir, std::string_view name) {
    return dir == "/" ? fmt::format("/{}", name) : fmt::format("{}/{}", dir, name);
}

// --proc: a procfs of our own pid namespace when there is one, otherwise the host's
// /proc (a new procfs would show the caller's pid namespace anyway, and mounting one
// needs the pid namespace to be owned by our user namespace). Then the parts that
// can change the host kernel are made read-only, as bwrap does.
void plan_proc(const std::string& target, std::size_t index, const MountContext& ctx,
               std::vector<MountOp>& ops) {
    if (ctx.new_pid_ns)
        ops.push_back({.kind = MountKind::Procfs, .target = target, .request = index});
    else
        ops.push_back({.kind = MountKind::Bind, .source = "/proc", .target = target, .request = index});
    for (const char* sub : {"sys", "sysrq-trigger", "irq", "bus"})
        ops.push_back({.kind = MountKind::ProtectRo, .target = join(target, sub), .request = index});
}

// --dev: a tmpfs with the harmless host device nodes bound in, the standard
// symlinks, a private devpts and /dev/console when stdout is a terminal.
void plan_dev(const std::string& target, std::size_t index, const MountContext& ctx,
              std::vector<MountOp>& ops) {
    ops.push_back({.kind = MountKind::Tmpfs, .target = target, .request = index});
    for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
        ops.push_back({.kind = MountKind::Bind,
                       .source = fmt::format("/dev/{}", node),
                       .target = join(target, node),
                       .allow_devices = true,
                       .request = index});
    }
    constexpr std::array<std::pair<const char*, const char*>, 5> links = {{
        {"stdin", "/proc/self/fd/0"},
        {"stdout", "/proc/self/fd/1"},
        {"stderr", "/proc/self/fd/2"},
        {"fd", "/proc/self/fd"},
        {"core", "/proc/kcore"},
    }};
    for (const auto& [name, text] : links)
        ops.push_back(
            {.kind = MountKind::Symlink, .source = text, .target = join(target, name), .request = index});
    ops.push_back({.kind = MountKind::Dir, .target = join(target, "shm"), .request = index});
    ops.push_back({.kind = MountKind::Devpts, .target = join(target, "pts"), .request = index});
    ops.push_back(
        {.kind = MountKind::Symlink, .source = "pts/ptmx", .target = join(target, "ptmx"), .request = index});
    if (ctx.stdout_tty) {
        ops.push_back({.kind = MountKind::Bind,
                       .source = *ctx.stdout_tty,
                       .target = join(target, "console"),
                       .allow_devices = true,
                       .request = index});
    }
}

// bwrap: missing parents are 0755, minus the group and other bits that --perms
// leaves out entirely, so that --perms 0700 --dir /a/b/c hides /a and /a/b too.
std::uint32_t parent_mode_for(std::optional<std::uint32_t> perms) {
    std::uint32_t mode = 0755;
    if (perms && (*perms & 0070) == 0)
        mode &= ~0070U;
    if (perms && (*perms & 0007) == 0)
        mode &= ~0007U;
    return mode;
}

MountOp created(MountKind kind, std::string target, const FsRequest& r, std::uint32_t default_mode,
                std::size_t index) {
    return MountOp{.kind = kind,
                   .target = std::move(target),
                   .read_only = r.read_only,
                   .mode = r.perms.value_or(default_mode),
                   .parent_mode = parent_mode_for(r.perms),
                   .size = r.size.value_or(0),
                   .fd = r.fd,
                   .request = index};
}

// Ops that put a mount at their target: what a --protect or --mask path lies in.
bool mounts_at_target(MountKind kind) {
    switch (kind) {
        case MountKind::Bind:
        case MountKind::Tmpfs:
        case MountKind::Procfs:
        case MountKind::Devpts:
        case MountKind::BindData:
        case MountKind::BindFd:
        case MountKind::Mqueue:
        case MountKind::Overlay:
            return true;
        default:
            return false;
    }
}

bool is_within(std::string_view path, std::string_view dir) {
    return dir == "/" || path == dir || (path.starts_with(dir) && path[dir.size()] == '/');
}

// --protect/--mask: the directories between the mount DEST lies in and DEST
// are pinned (each a mount point of itself: rename(2) and rmdir(2) refuse a
// mount point, EBUSY), so that no ancestor can be moved aside and replaced by
// a fresh, writable one; then DEST itself.
void plan_rules(std::vector<MountOp>& ops, const std::vector<MountOp>& rules) {
    std::set<std::string> pinned;
    std::vector<MountOp> placed;
    const std::size_t before = ops.size();
    for (const MountOp& rule : rules) {
        std::string within = "/";
        bool writable = true;  // nothing can be renamed in a read-only mount: no pins there
        for (std::size_t i = before; i-- > 0;)
            if (mounts_at_target(ops[i].kind) && !ops[i].target.empty() &&
                is_within(rule.target, ops[i].target)) {
                within = ops[i].target;
                writable = !ops[i].read_only;
                break;
            }
        for (std::size_t at = within.size() + (within == "/" ? 0 : 1); writable && at < rule.target.size();
             ++at) {
            const std::size_t slash = rule.target.find('/', at);
            if (slash == std::string::npos)
                break;
            std::string dir = rule.target.substr(0, slash);
            at = slash;
            if (!pinned.insert(dir).second)
                continue;
            ops.push_back({.kind = MountKind::Pin,
                           .source = within,
                           .target = std::move(dir),
                           .request = rule.request});
        }
        MountOp op = rule;
        op.source = within;
        placed.push_back(std::move(op));
    }
    // The pins first, then the rules, grouped by the directory they lie in
    // (in command-line order within one): setup walks to each directory once
    // (run/mount_exec.cc, open_rule_target). Their order does not change what
    // they do: each mount lands on its own path.
    const auto dir_of = [](const MountOp& op) {
        return std::string_view(op.target).substr(0, op.target.rfind('/'));
    };
    std::stable_sort(placed.begin(), placed.end(),
                     [&](const MountOp& a, const MountOp& b) { return dir_of(a) < dir_of(b); });
    for (MountOp& op : placed) ops.push_back(std::move(op));
}

// The privileged sockets the finished tree shows: where a bind of a
// directory above one puts it, unless a later mount hides that place, it is
// allowed, or it was bound by itself (then it was asked for).
Status plan_socket_masks(const std::vector<MountOp>& ops, const std::vector<FsRequest>& requests,
                         const MountContext& ctx, std::vector<MountOp>& rules) {
    const auto allowed = [&](const std::string& host, const std::string& inside) {
        return std::find(ctx.allowed_sockets.begin(), ctx.allowed_sockets.end(), host) !=
                   ctx.allowed_sockets.end() ||
               std::find(ctx.allowed_sockets.begin(), ctx.allowed_sockets.end(), inside) !=
                   ctx.allowed_sockets.end();
    };
    for (const std::string& socket : ctx.sockets) {
        for (std::size_t i = 0; i < ops.size(); ++i) {
            const MountOp& bind = ops[i];
            if (bind.kind != MountKind::Bind || bind.target.empty() || bind.source == socket ||
                !is_within(socket, bind.source))
                continue;
            const std::string rest = socket.substr(bind.source == "/" ? 0 : bind.source.size());
            const std::string inside = bind.target == "/" ? rest : bind.target + rest;
            bool hidden = false;
            for (std::size_t j = i + 1; j < ops.size() && !hidden; ++j)
                hidden = mounts_at_target(ops[j].kind) && !ops[j].target.empty() &&
                         is_within(inside, ops[j].target);
            if (hidden || allowed(socket, inside))
                continue;
            // Where '..' leads is settled only in the new root: the mask
            // could miss the socket (HACKING.md, security rule 6 asks for no
            // quiet gap), so such a destination is refused here.
            if (has_dotdot(inside)) {
                const FsRequest& r = requests[bind.request];
                return fail(Error::usage(fmt::format(
                    "{} {} {}: a destination with '..' would show the privileged socket {} unmasked; "
                    "give the path it means, or let it through with --allow-socket {}",
                    r.flag, r.source, r.dest, socket, socket)));
            }
            if (std::any_of(rules.begin(), rules.end(), [&](const MountOp& r) { return r.target == inside; }))
                continue;
            rules.push_back({.kind = MountKind::Mask,
                             .target = inside,
                             .allow_missing = true,
                             .request = bind.request,
                             .socket = true});
        }
    }
    return {};
}

}  // namespace

Result<MountPlan> plan_mounts(const std::vector<FsRequest>& requests, const MountContext& ctx) {
    MountPlan plan;
    plan.ops.reserve(requests.size() + 32);  // --dev and --proc add a few each
    std::vector<MountOp> rules;              // --protect, --mask: after everything else
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const FsRequest& r = requests[i];
        Result<std::string> dest = normalise_dest(r.flag, r.dest);
        if (r.kind == FsKind::Bind) {
            Result<std::string> source = host_path(ctx.cwd, r.flag, r.source);
            // A -try whose source cannot exist (no working directory to be
            // relative to) is skipped like any missing source.
            if (!source && r.allow_missing && source.error().errnum == ENOENT)
                continue;
            MountOp op{.kind = MountKind::Bind,
                       .source = TRY(std::move(source)),
                       .read_only = r.read_only,
                       .allow_devices = r.allow_devices,
                       .allow_missing = r.allow_missing,
                       .create_source = r.create_source,
                       .request = i};
            // A -try looks at its destination only once its source is there
            // (bwrap's order): the sandbox reports dest_error then.
            if (dest)
                op.target = std::move(*dest);
            else if (r.allow_missing)
                op.dest_error = dest.error().context;
            else
                return fail(std::move(dest).error());
            plan.ops.push_back(std::move(op));
            continue;
        }
        std::string target = TRY(std::move(dest));
        switch (r.kind) {
            case FsKind::Bind:
                break;
            case FsKind::RemountRo:
                plan.ops.push_back({.kind = MountKind::RemountRo, .target = std::move(target), .request = i});
                break;
            case FsKind::Tmpfs:
                plan.ops.push_back(created(MountKind::Tmpfs, std::move(target), r, 0755, i));
                break;
            case FsKind::Dir:
                plan.ops.push_back(created(MountKind::Dir, std::move(target), r, 0755, i));
                break;
            case FsKind::File:
                plan.ops.push_back(created(MountKind::File, std::move(target), r, 0666, i));
                break;
            case FsKind::BindData:
                plan.ops.push_back(created(MountKind::BindData, std::move(target), r, 0600, i));
                break;
            case FsKind::Chmod:
                plan.ops.push_back(created(MountKind::Chmod, std::move(target), r, 0, i));
                break;
            case FsKind::BindFd:
                plan.ops.push_back(created(MountKind::BindFd, std::move(target), r, 0, i));
                break;
            case FsKind::Overlay:
            case FsKind::TmpOverlay:
            case FsKind::RoOverlay: {
                MountOp op = created(MountKind::Overlay, std::move(target), r, 0, i);
                for (const std::string& layer : r.layers)
                    op.layers.push_back(TRY(host_path(ctx.cwd, "--overlay-src", layer)));
                if (r.kind == FsKind::Overlay) {
                    op.source = TRY(host_path(ctx.cwd, r.flag, r.source));
                    op.work = TRY(host_path(ctx.cwd, r.flag, r.work));
                }
                op.tmp_upper = r.kind == FsKind::TmpOverlay;
                plan.ops.push_back(std::move(op));
                break;
            }
            case FsKind::Mqueue:
                plan.ops.push_back(created(MountKind::Mqueue, std::move(target), r, 0, i));
                break;
            case FsKind::Symlink:
                plan.ops.push_back({.kind = MountKind::Symlink,
                                    .source = r.source,
                                    .target = std::move(target),
                                    .request = i});
                break;
            case FsKind::Proc:
                plan_proc(target, i, ctx, plan.ops);
                break;
            case FsKind::Dev:
                plan_dev(target, i, ctx, plan.ops);
                plan.needs_devpts = true;
                break;
            case FsKind::Protect:
            case FsKind::Mask:
                // A rule names one place: ".." could lead it anywhere, even
                // above the sandbox's root while it is built.
                if (has_dotdot(target))
                    return fail(Error::usage(fmt::format(
                        "{} {}: a path with '..' is not taken; give the path it means", r.flag, r.dest)));
                rules.push_back({.kind = r.kind == FsKind::Protect ? MountKind::Protect : MountKind::Mask,
                                 .target = std::move(target),
                                 .allow_missing = r.allow_missing,
                                 .request = i,
                                 .placeholder_dir = r.dest.size() > 1 && r.dest.back() == '/'});
                break;
        }
    }
    TRY(plan_socket_masks(plan.ops, requests, ctx, rules));
    plan_rules(plan.ops, rules);
    return plan;
}

std::string describe(const MountOp& op) {
    switch (op.kind) {
        case MountKind::Bind:
            return fmt::format("bind{}{}{} {}{} -> {}", op.read_only ? "-ro" : "",
                               op.allow_devices ? "-dev" : "", op.allow_missing ? "-try" : "", op.source,
                               op.create_source ? " (made if missing)" : "", op.target);
        case MountKind::RemountRo:
            return fmt::format("remount-ro {}", op.target);
        case MountKind::Tmpfs:
            return fmt::format("tmpfs {}{}{}", op.target,
                               op.mode != 0755 ? fmt::format(" mode {:04o}", op.mode) : "",
                               op.size != 0 ? fmt::format(" size {}", op.size) : "");
        case MountKind::Procfs:
            return fmt::format("proc {}", op.target);
        case MountKind::Devpts:
            return fmt::format("devpts {}", op.target);
        case MountKind::ProtectRo:
            return fmt::format("protect-ro {}", op.target);
        case MountKind::Dir:
            return fmt::format("dir {}{}", op.target,
                               op.mode != 0755 ? fmt::format(" mode {:04o}", op.mode) : "");
        case MountKind::Symlink:
            return fmt::format("symlink {} -> {}", op.target, op.source);
        case MountKind::Chmod:
            return fmt::format("chmod {:04o} {}", op.mode, op.target);
        case MountKind::File:
            return fmt::format("file {} mode {:04o} from fd {}", op.target, op.mode, op.fd);
        case MountKind::BindData:
            return fmt::format("bind-data{} {} mode {:04o} from fd {}", op.read_only ? "-ro" : "", op.target,
                               op.mode, op.fd);
        case MountKind::BindFd:
            return fmt::format("bind-fd{} {} -> {}", op.read_only ? "-ro" : "", op.fd, op.target);
        case MountKind::Mqueue:
            return fmt::format("mqueue {}", op.target);
        case MountKind::Pin:
            return fmt::format("pin {}", op.target);
        case MountKind::Protect:
            return fmt::format("protect{} {}{}", op.allow_missing ? "-try" : "", op.target,
                               op.placeholder_dir ? "/" : "");
        case MountKind::Mask:
            if (op.socket)
                return fmt::format("mask-socket {} (--allow-socket lets it through)", op.target);
            return fmt::format("mask{} {}{}", op.allow_missing ? "-try" : "", op.target,
                               op.placeholder_dir ? "/" : "");
        case MountKind::Overlay: {
            std::string layers;
            for (const std::string& layer : op.layers) layers += (layers.empty() ? "" : ":") + layer;
            return fmt::format("overlay{} {} -> {}{}",
                               op.read_only   ? "-ro"
                               : op.tmp_upper ? "-tmp"
                                              : "",
                               layers, op.target,
                               op.source.empty() ? "" : fmt::format(" upper {} work {}", op.source, op.work));
        }
    }
    return "?";
}

}  // namespace cocoon

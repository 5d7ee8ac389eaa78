// SPDX-License-Identifier: MIT
// Plan -> Frozen. [parent]
#include "run/freeze.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "core/path.h"

namespace cocoon::child {

std::unique_ptr<FrozenPlan> freeze(const Plan& plan) {
    auto out = std::make_unique<FrozenPlan>();
    FrozenPlan& p = *out;
    Frozen& f = p.frozen_;
    auto keep = [&p](std::string s) -> char* {
        p.strings_.push_back(std::move(s));
        return p.strings_.back().data();
    };

    if (plan.maps) {
        if (!plan.maps->uid.via_helper)
            f.uid_map = keep(render_map(plan.maps->uid.entries));
        if (!plan.maps->gid.via_helper)
            f.gid_map = keep(render_map(plan.maps->gid.entries));
        f.deny_setgroups = plan.maps->deny_setgroups();
    }
    if (plan.nested_maps) {
        f.nested_uid_map = keep(render_map(plan.nested_maps->uid.entries));
        f.nested_gid_map = keep(render_map(plan.nested_maps->gid.entries));
    }
    if (plan.switch_uid)
        f.switch_uid = *plan.switch_uid;
    if (plan.switch_gid)
        f.switch_gid = *plan.switch_gid;
    f.switch_early = plan.switch_early;
    f.drop_groups = plan.maps && plan.maps->gid.via_helper;

    std::size_t n_layers = 0;
    for (const MountOp& op : plan.mounts.ops) n_layers += op.layers.size();
    p.layers_.reserve(n_layers);
    p.mounts_.reserve(plan.mounts.ops.size());
    for (const MountOp& op : plan.mounts.ops) {
        const std::size_t first_layer = p.layers_.size();
        for (const std::string& layer : op.layers) p.layers_.push_back(keep(layer));
        p.mounts_.push_back(FrozenMount{
            .kind = op.kind,
            .read_only = op.read_only,
            .allow_devices = op.allow_devices,
            .allow_missing = op.allow_missing,
            .source = keep(op.source),
            .target = keep(op.target),
            .dotdot = has_dotdot(op.target),
            .mode_str = keep(fmt::format("{:04o}", op.mode)),
            .size_str = op.size != 0 ? keep(std::to_string(op.size)) : nullptr,
            .mode = static_cast<mode_t>(op.mode),
            .parent_mode = static_cast<mode_t>(op.parent_mode),
            .fd = op.fd,
            .layers = p.layers_.data() + first_layer,
            .n_layers = static_cast<std::int32_t>(op.layers.size()),
            .work = op.kind == MountKind::Overlay && !op.work.empty() ? keep(op.work) : nullptr,
            .tmp_upper = op.tmp_upper,
            .placeholder_dir = op.placeholder_dir,
        });
    }
    f.mounts_already_slave = plan.ns.user || plan.join.userns_fd.has_value();
    f.mounts = p.mounts_.data();
    f.n_mounts = static_cast<std::int32_t>(p.mounts_.size());

    if (plan.hostname)
        f.hostname = keep(*plan.hostname);
    f.loopback = plan.ns.net;

    for (const std::string& dir : plan.exec.chdir) {
        p.chdir_.push_back(keep(dir));
        p.pwd_.push_back(keep("PWD=" + dir));
    }
    f.chdir = p.chdir_.data();
    f.n_chdir = static_cast<std::int32_t>(p.chdir_.size());
    f.chdir_strict = plan.exec.chdir_strict;
    f.pwd_values = p.pwd_.data();

    f.file = keep(plan.exec.file);
    for (const std::string& arg : plan.exec.argv) p.argv_.push_back(keep(arg));
    p.argv_.push_back(nullptr);
    f.argv = p.argv_.data();
    p.sh_argv_.reserve(p.argv_.size() + 1);
    p.sh_argv_.push_back(keep("/bin/sh"));
    p.sh_argv_.push_back(nullptr);  // the script, filled in by the child
    p.sh_argv_.insert(p.sh_argv_.end(), p.argv_.begin() + 1, p.argv_.end());
    f.sh_argv = p.sh_argv_.data();

    for (const std::string& entry : plan.exec.env) {
        p.envp_.push_back(keep(entry));
        if (entry.starts_with("PATH="))
            f.path_env = p.envp_.back() + 5;
    }
    f.pwd_slot = static_cast<std::int32_t>(p.envp_.size());
    p.envp_.push_back(p.pwd_.empty() ? nullptr : p.pwd_.front());
    p.envp_.push_back(nullptr);
    f.envp = p.envp_.data();

    f.caps = plan.caps;
    f.pid1_keeps = plan.pid1_keeps;
    f.kernel = plan.kernel;
    f.bounding = plan.bounding;
    f.reaper = plan.reaper;
    for (const std::string& program : plan.seccomp_filters) {
        // A copy of our own, like every string here: the frozen plan needs
        // nothing of the Plan once made.
        char* insns = keep(program);
        p.filters_.push_back(sock_fprog{
            .len = static_cast<unsigned short>(program.size() / sizeof(sock_filter)),
            .filter = reinterpret_cast<sock_filter*>(insns),
        });
    }
    f.filters = p.filters_.data();
    if (plan.syscall_report) {
        const std::string& original = plan.syscall_report->original;
        f.notify_filter = static_cast<std::int32_t>(plan.syscall_report->filter);
        f.notify_original = sock_fprog{
            .len = static_cast<unsigned short>(original.size() / sizeof(sock_filter)),
            .filter = reinterpret_cast<sock_filter*>(keep(original)),
        };
    }
    f.intermediate = plan.intermediate;
    f.userns2_fd = plan.join.userns2_fd.value_or(-1);
    f.disable_userns = plan.disable_userns;
    f.check_userns_disabled = plan.disable_userns || plan.assert_userns_disabled;
    f.sync_fd = plan.coord.sync_fd.value_or(-1);
    p.consumed_fds_ = plan.consumed_fds;
    f.consumed_fds = p.consumed_fds_.data();
    f.n_consumed_fds = static_cast<std::int32_t>(p.consumed_fds_.size());
    f.block_fd = plan.coord.block_fd.value_or(-1);
    for (const std::string& path : plan.coord.lock_files) p.lock_files_.push_back(keep(path));
    f.lock_files = p.lock_files_.data();
    f.n_lock_files = static_cast<std::int32_t>(p.lock_files_.size());
    if (plan.labels.exec)
        f.exec_label = keep(*plan.labels.exec);
    if (plan.labels.file)
        f.file_label = keep(*plan.labels.file);
    f.n_filters = static_cast<std::int32_t>(p.filters_.size());
    f.filters_before_command = plan.filters_before_command;
    f.new_session = plan.new_session;
    f.report_missing_rules = plan.coord.report_fd.has_value();
    f.net_proxy = plan.net && plan.net->offers_proxy();
    f.net_dns_tcp = plan.net && plan.net->offers_dns_tcp();
    if (plan.net)
        for (const std::uint16_t port : plan.net->ports())
            if (f.n_net_ports < kMaxNetPorts)
                f.net_ports[f.n_net_ports++] = port;
    if (plan.net)
        for (const std::uint16_t port : plan.net->udp_ports())
            if (f.n_net_ports + f.n_net_udp_ports < kMaxNetPorts)
                f.net_udp_ports[f.n_net_udp_ports++] = port;
    f.forward_kernel_signals = plan.forward_kernel_signals;
    f.die_with_parent = plan.die_with_parent;
    f.on_exit = plan.on_exit;
    for (const Plan::Limit& l : plan.rlimits) {
        if (f.n_rlimits == kRlimits)
            break;
        f.rlimits[f.n_rlimits++] = {l.resource, rlimit{l.value.soft, l.value.hard}};
    }
    const mode_t mask = ::umask(0);
    ::umask(mask);
    f.umask = mask;

    sigemptyset(&f.reaper_waits);
    for (const int sig : kForwardedSignals) sigaddset(&f.reaper_waits, sig);
    sigaddset(&f.reaper_waits, SIGCHLD);
    return out;
}

void set_fds(FrozenPlan& plan, int status_fd, int life_fd, int exit_fd, int wait_fd, int pty_fd,
             std::vector<int> close_in_child) {
    plan.close_fds_ = std::move(close_in_child);
    Frozen& f = plan.frozen_;
    f.status_fd = status_fd;
    f.life_fd = life_fd;
    f.exit_fd = exit_fd;
    f.wait_fd = wait_fd;
    f.pty_fd = pty_fd;
    f.close_fds = plan.close_fds_.data();
    f.n_close_fds = static_cast<std::int32_t>(plan.close_fds_.size());
}

}  // namespace cocoon::child

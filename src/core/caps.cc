// SPDX-License-Identifier: MIT
// Capability names, in capability-number order (capabilities(7), linux/capability.h). [pure]
#include "core/caps.h"

#include <array>
#include <cctype>

#include "base/strings.h"

namespace cocoon {
namespace {

constexpr std::array<std::string_view, 41> kNames = {
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != b[i])
            return false;
    return true;
}

}  // namespace

std::optional<int> parse_cap_name(std::string_view name) {
    if (const auto number = parse_decimal(name, 63))
        return static_cast<int>(*number);
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (equal_ignoring_case(name, kNames[i]))
            return static_cast<int>(i);
    return std::nullopt;
}

std::string_view cap_name(int cap) {
    return cap >= 0 && static_cast<std::size_t>(cap) < kNames.size() ? kNames[static_cast<std::size_t>(cap)]
                                                                     : "";
}

int known_caps() {
    return static_cast<int>(kNames.size());
}

}  // namespace cocoon

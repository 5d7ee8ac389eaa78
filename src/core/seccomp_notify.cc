// SPDX-License-Identifier: MIT
#include "core/seccomp_notify.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cocoon::seccomp {

std::optional<std::string> notify_program(std::string_view program) {
    std::string out(program);
    bool changed = false;
    for (std::size_t at = 0; at + sizeof(sock_filter) <= out.size(); at += sizeof(sock_filter)) {
        sock_filter insn;
        std::memcpy(&insn, out.data() + at, sizeof insn);
        if (insn.code != (BPF_RET | BPF_K) || (insn.k & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO ||
            (insn.k & SECCOMP_RET_DATA) == ENOSYS)
            continue;
        insn.k = SECCOMP_RET_USER_NOTIF;
        std::memcpy(out.data() + at, &insn, sizeof insn);
        changed = true;
    }
    if (!changed)
        return std::nullopt;
    return out;
}

std::optional<int> denied_errno(const std::string& original, const SeccompData& call) {
    const std::optional<std::uint32_t> verdict = run_bpf(original, call);
    if (!verdict || (*verdict & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO)
        return std::nullopt;
    // The kernel caps an errno at MAX_ERRNO (seccomp(2), SECCOMP_RET_ERRNO).
    return static_cast<int>(std::min<std::uint32_t>(*verdict & SECCOMP_RET_DATA, 4095));
}

}  // namespace cocoon::seccomp

// SPDX-License-Identifier: MIT
// AddressSanitizer keeps the bounds of the stack each thread runs on. A child
// cloned with CLONE_VM | CLONE_VFORK runs on a stack of ours, in our memory,
// while we wait (clone(2)); to ASan that is the same thread on a stack it
// does not know, which it reports as a corrupt one at the first noreturn
// call; a fork-like clone(2) onto a stack buffer, likewise. These announce
// the switch as a fiber switch (sanitizer/common_interface_defs.h); with
// CLONE_VM the child's record of our stack is in the memory we share, and we
// switch back with it when we resume. Without ASan they are empty. [parent, child: only bookkeeping,
// async-signal-safe]
#pragma once
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

namespace cocoon::stack_switch {

#if defined(__SANITIZE_ADDRESS__)
inline const void* parent_bottom = nullptr;
inline std::size_t parent_size = 0;

// The child's first statement, on `stack`: the whole switch is done here.
// With CLONE_VM the bounds it replaces are ours, kept for back_in_parent().
inline void entered(const char* stack, std::size_t size) {
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, stack, size);
    __sanitizer_finish_switch_fiber(fake, &parent_bottom, &parent_size);
}
// In the parent, once clone(2) with CLONE_VM has returned: our own stack again.
inline void back_in_parent() {
    if (parent_bottom == nullptr)
        return;
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, parent_bottom, parent_size);
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
    parent_bottom = nullptr;
}
#else
inline void entered(const char*, std::size_t) {}
inline void back_in_parent() {}
#endif

}  // namespace cocoon::stack_switch

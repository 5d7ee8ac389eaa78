// SPDX-License-Identifier: MIT
// Why: a launch touches a few dozen scattered pages of our 2 MiB static image,
// each one a page fault. In a VM a fault costs 10-30 us (the hypervisor takes
// part in every one), so the faults alone were about a millisecond per sandbox.
// One MADV_POPULATE_* call maps the same pages for a fraction of that, and on
// bare metal it costs about what the faults it replaces cost. [parent]
#include "os/prefault.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

// GNU ld's default linker script defines these (ld --verbose).
extern "C" {
extern char __executable_start[];
extern char etext[];
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

namespace cocoon {
namespace {

void populate(const void* begin, const void* end, int advice) {
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto first = reinterpret_cast<std::uintptr_t>(begin) & ~(page - 1);
    const auto last = reinterpret_cast<std::uintptr_t>(end);
    if (last > first)
        ::madvise(reinterpret_cast<void*>(first), last - first, advice);
}

}  // namespace

void prefault_image() {
    populate(__executable_start, etext, MADV_POPULATE_READ);
    // The heap malloc has already taken from brk (its first sbrk asks for 128 KiB
    // more than needed, M_TOP_PAD), which parsing and planning then fill.
    char* top = static_cast<char*>(::sbrk(0));
    const std::size_t arena = ::mallinfo2().arena;
    if (top != reinterpret_cast<char*>(-1) && arena != 0)
        populate(top - arena, top, MADV_POPULATE_WRITE);
}

}  // namespace cocoon

// SPDX-License-Identifier: MIT
// Why: thousands of binds grow the heap page by page, each page a fault, and
// in a VM a fault costs 10-30 us (the hypervisor takes part in every one). One
// MADV_POPULATE_WRITE call maps the heap they need for a fraction of that.
// The code is left to fault in: populating all of it (1.8 MB) was a win on a
// VM whose faults cost 15 us, but on this one a typical sandbox starts 3.5-4 %
// faster without, and the process outside peaks at 2.39 MiB instead of 3.25
// (bench/README.md, "Memory"). [parent]
#include "os/prefault.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

namespace cocoon {
namespace {

constexpr std::size_t kMaxGrowth = std::size_t{8} << 20;

void populate(const void* begin, const void* end, int advice) noexcept {
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto first = reinterpret_cast<std::uintptr_t>(begin) & ~(page - 1);
    const auto last = reinterpret_cast<std::uintptr_t>(end);
    if (last > first)
        ::madvise(reinterpret_cast<void*>(first), last - first, advice);
}

}  // namespace

void prefault_image(std::size_t argument_bytes) {
    // Every block comes from the brk heap, which is kept: a block past the mmap
    // threshold (128 KiB) would be a fresh mapping, faulted in page by page and
    // unmapped again when freed. Thousands of binds need a few of those.
    ::mallopt(M_MMAP_THRESHOLD, kMaxGrowth * 2);
    ::mallopt(M_TRIM_THRESHOLD, kMaxGrowth * 4);
    // Grow the heap now by what this command line will need: its copies in the
    // config, the plan and the frozen plan come to about 30 bytes per byte of
    // arguments (1000 binds: 1.2 MB). One populate call maps all of it, with what
    // malloc took at start-up.
    const std::size_t growth = std::min(argument_bytes * 32, kMaxGrowth);
    if (growth > 0) {
        void* volatile block = ::malloc(growth);  // volatile: kept, not optimised away
        ::free(block);
    }
    char* top = static_cast<char*>(::sbrk(0));
    const std::size_t arena = ::mallinfo2().arena;
    if (top != reinterpret_cast<char*>(-1) && arena != 0)
        populate(top - arena, top, MADV_POPULATE_WRITE);
}

}  // namespace cocoon

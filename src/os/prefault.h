// SPDX-License-Identifier: MIT
// Mapping our heap in one syscall instead of page fault after page fault.
// [parent]
#pragma once
#include <cstddef>

namespace cocoon {

// Maps a heap grown to what a command line with `argument_bytes` of arguments
// needs, with madvise(MADV_POPULATE_WRITE)
// (Linux 5.14; silently nothing before). Best effort: a failure only costs the
// faults. Call it first thing in main.
void prefault_image(std::size_t argument_bytes);

}  // namespace cocoon

// SPDX-License-Identifier: MIT
// Mapping our own image in a few syscalls instead of page fault after page fault.
// [parent]
#pragma once

namespace cocoon {

// Maps the executable's code and read-only data, and the writable data and bss
// that start-up touches anyway, with madvise(MADV_POPULATE_READ/WRITE) (Linux
// 5.14; silently nothing before). Best effort: a failure only costs the faults.
void prefault_image();

}  // namespace cocoon

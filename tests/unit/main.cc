// SPDX-License-Identifier: MIT
// doctest entry point for the unit tests: pure code only, no privileges needed.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

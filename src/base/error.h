// SPDX-License-Identifier: MIT
// Turning an Error into the one line main prints. [pure]
#pragma once
#include <string>
#include <string_view>

#include "base/result.h"

namespace cocoon {

// The two faces of the binary (HACKING.md, "Layers"): under the name `bwrap` every
// message starts "bwrap: " and every failure exits 1; as `cocoon` messages start
// "cocoon: " and failures exit 125, 126 or 127 as env(1) does.
enum class Personality { Cocoon, Bwrap };

struct MessageStyle {
    Personality personality = Personality::Cocoon;
    bool level_prefix = false;  // --level-prefix: "<3>" for errors, "<4>" for warnings
};

// "cocoon: <context>" or "cocoon: <context>: <strerror>", control characters escaped.
std::string format_error(const Error& error, const MessageStyle& style);
std::string format_warning(std::string_view text, const MessageStyle& style);

// The program name as messages show it.
std::string_view program_name(Personality personality);

}  // namespace cocoon

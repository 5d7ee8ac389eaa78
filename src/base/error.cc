// SPDX-License-Identifier: MIT
// Turning an Error into the one line main prints. [pure]
#include "base/error.h"

#include <cstring>

#include <fmt/format.h>

#include "base/strings.h"

namespace cocoon {

std::string_view program_name(Personality personality) {
    return personality == Personality::Bwrap ? "bwrap" : "cocoon";
}

std::string format_error(const Error& error, const MessageStyle& style) {
    std::string line = fmt::format("{}{}: {}", style.level_prefix ? "<3>" : "",
                                   program_name(style.personality), escape_for_terminal(error.context));
    if (error.errnum != 0)
        line += fmt::format(": {}", std::strerror(error.errnum));
    return line;
}

std::string format_warning(std::string_view text, const MessageStyle& style) {
    return fmt::format("{}{}: {}", style.level_prefix ? "<4>" : "", program_name(style.personality),
                       escape_for_terminal(text));
}

}  // namespace cocoon

// SPDX-License-Identifier: MIT
// Sandbox path normalisation. [pure]
#include "core/path.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace cocoon {

Result<std::string> normalise_dest(std::string_view flag, std::string_view dest) {
    if (dest.empty())
        return fail(Error::usage(fmt::format("{}: destination is empty", flag)));
    if (dest.front() != '/')
        return fail(Error::usage(fmt::format("{}: destination '{}' is not an absolute path", flag, dest)));
    std::string out;
    for (std::string_view part : split(dest, '/')) {
        if (part.empty() || part == ".")
            continue;
        if (part == "..")
            return fail(Error::usage(fmt::format("{}: destination '{}' contains '..'", flag, dest)));
        out += '/';
        out += part;
    }
    return out.empty() ? std::string("/") : out;
}

std::string absolute_host_path(std::string_view cwd, std::string_view path) {
    if (path.empty() || path.front() == '/')
        return std::string(path);
    if (cwd == "/")
        return fmt::format("/{}", path);
    return fmt::format("{}/{}", cwd, path);
}

}  // namespace cocoon

// SPDX-License-Identifier: MIT
// Sandbox path normalisation. [pure]
#include "core/path.h"

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "base/strings.h"

namespace cocoon {

Result<std::string> normalise_dest(std::string_view flag, std::string_view dest) {
    if (dest.empty())
        return fail(Error::usage(fmt::format("{}: destination is empty", flag)));
    std::string out;
    for (std::string_view part : split(dest, '/')) {
        if (part.empty() || part == ".")
            continue;
        // ".." is kept: the sandbox resolves it after any symlink before it, as
        // the kernel would (bwrap's meaning). Only at the root is it known
        // without looking, where it names the root itself.
        if (part == ".." && out.empty())
            continue;
        out += '/';
        out += part;
    }
    if (out.size() >= kPathMax)
        return fail(Error::usage(fmt::format("{}: destination longer than {} bytes: {}...", flag,
                                             kPathMax - 1, dest.substr(0, 64))));
    return out.empty() ? std::string("/") : out;
}

bool has_dotdot(std::string_view path) {
    for (std::string_view part : split(path, '/'))
        if (part == "..")
            return true;
    return false;
}

namespace {

// "/proc/self/cwd/a" with link "cwd" -> "/a"; nullopt if `path` is not under it.
std::optional<std::string_view> under_self(std::string_view path, std::string_view link) {
    for (std::string_view self : {"/proc/self/", "/proc/thread-self/"}) {
        if (!path.starts_with(self) || !path.substr(self.size()).starts_with(link))
            continue;
        const std::string_view rest = path.substr(self.size() + link.size());
        if (rest.empty() || rest.front() == '/')
            return rest;
    }
    return std::nullopt;
}

}  // namespace

Result<std::string> host_path(const std::optional<std::string>& cwd, std::string_view flag,
                              std::string_view path) {
    auto missing = [&] { return fail(Error{ENOENT, fmt::format("Can't find source path {}", path)}); };
    auto from_cwd = [&](std::string_view rest) {
        return *cwd == "/" ? fmt::format("/{}", rest) : fmt::format("{}/{}", *cwd, rest);
    };
    std::string out;
    if (path.empty() || path.front() == '/')
        out = path;
    else if (!cwd)
        return missing();
    else
        out = from_cwd(path);
    if (const auto rest = under_self(out, "cwd")) {
        if (!cwd)
            return missing();
        out = rest->empty() ? *cwd : from_cwd(rest->substr(1));
    } else if (const auto rest2 = under_self(out, "root")) {
        out = rest2->empty() ? std::string("/") : std::string(*rest2);
    }
    if (out.size() >= kPathMax)
        return fail(Error::usage(fmt::format("{}: source path longer than {} bytes: {}...", flag,
                                             kPathMax - 1, std::string_view(out).substr(0, 64))));
    return out;
}

}  // namespace cocoon

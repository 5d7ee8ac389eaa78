// SPDX-License-Identifier: MIT
// Finding and reading profiles for core/profile.cc.
#include "os/profiles.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>

#include "os/fd.h"
#include "os/unique_fd.h"

namespace cocoon {
namespace {

constexpr std::size_t kMaxProfileSize = 1 << 20;

std::vector<std::string> profile_dirs() {
    std::vector<std::string> dirs;
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    if (xdg != nullptr && xdg[0] == '/')
        dirs.push_back(std::string(xdg) + "/cocoon/profiles");
    else if (home != nullptr && home[0] == '/')
        dirs.push_back(std::string(home) + "/.config/cocoon/profiles");
    dirs.emplace_back("/etc/cocoon/profiles");
    return dirs;
}

// The file's text, nullopt if there is no such file.
Result<std::optional<ProfileText>> read_profile(const std::string& path, const std::string& shown) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd && (errno == ENOENT || errno == ENOTDIR))
        return std::optional<ProfileText>();
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) < 0)
        return fail(Error::from_errno(fmt::format("Can't read profile {}", shown)));
    if (!S_ISREG(st.st_mode))
        return fail(Error{EINVAL, fmt::format("profile {} is not a file", shown)});
    if (static_cast<std::size_t>(st.st_size) > kMaxProfileSize)
        return fail(Error{EFBIG, fmt::format("profile {} is larger than 1 MiB", shown)});
    Result<std::string> text = read_all(fd.get());
    if (!text)
        return fail(Error{text.error().errnum, fmt::format("Can't read profile {}", shown)});
    return std::optional<ProfileText>(ProfileText{shown, std::move(*text)});
}

Result<std::optional<ProfileText>> find_profile(const std::string& name) {
    if (name.find('/') != std::string::npos)
        return read_profile(name, name);
    if (name.empty() || name == "." || name == "..")
        return std::optional<ProfileText>();
    for (const std::string& dir : profile_dirs()) {
        const std::string path = dir + "/" + name;
        std::optional<ProfileText> found = TRY(read_profile(path, path));
        if (found)
            return found;
    }
    if (const BuiltinProfile* builtin = find_builtin_profile(name))
        return std::optional<ProfileText>(
            ProfileText{fmt::format("built-in {}", name), std::string(builtin->text)});
    return std::optional<ProfileText>();
}

char file_type(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0)
        return 0;
    return S_ISLNK(st.st_mode) ? 'l' : S_ISDIR(st.st_mode) ? 'd' : 'f';
}

std::optional<std::string> cocoon_variable(std::string_view name) {
    if (name == "UID")
        return std::to_string(::getuid());
    if (name == "GID")
        return std::to_string(::getgid());
    if (name == "CWD") {
        char cwd[PATH_MAX];
        if (::getcwd(cwd, sizeof cwd) != nullptr && cwd[0] == '/')
            return std::string(cwd);
    }
    return std::nullopt;
}

}  // namespace

ProfileHost host_profiles() {
    return ProfileHost{.find = find_profile, .file_type = file_type, .variable = cocoon_variable};
}

std::vector<ProfileListing> list_profiles() {
    std::vector<ProfileListing> out;
    auto add = [&out](std::string name, std::string origin, std::string summary) {
        const bool shadowed =
            std::any_of(out.begin(), out.end(), [&](const auto& p) { return p.name == name; });
        out.push_back({std::move(name), std::move(origin), std::move(summary), shadowed});
    };
    for (const std::string& dir : profile_dirs()) {
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr)
            continue;
        std::vector<std::string> names;
        while (const dirent* e = ::readdir(d))
            if (e->d_name[0] != '.')
                names.emplace_back(e->d_name);
        ::closedir(d);
        std::sort(names.begin(), names.end());
        for (const std::string& name : names) {
            const std::string path = dir + "/" + name;
            Result<std::optional<ProfileText>> text = read_profile(path, path);
            if (text && *text)
                add(name, path, profile_summary((*text)->text));
        }
    }
    for (const BuiltinProfile& p : builtin_profiles())
        add(std::string(p.name), "built-in", std::string(p.summary));
    return out;
}

}  // namespace cocoon

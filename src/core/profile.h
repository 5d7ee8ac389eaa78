// SPDX-License-Identifier: MIT
// Profiles: files of cocoon options, expanded in place by --profile (HACKING.md,
// "Profiles"). The format, one line at a time:
//
//   # a comment                     (also after the words of a line)
//   --ro-bind /usr /usr             words split at blanks, as a shell would:
//   --setenv GREETING 'hello world' 'single' and "double" quotes, \ escapes,
//   --bind ~/src "${HOME}/src"      ~ and ${VAR} from the caller's environment
//   --chdir ${CWD:-/}               ${VAR:-default}: the default if unset or empty
//   include host-ro                 another profile, expanded here
//   if-set WAYLAND_DISPLAY WORDS... WORDS only if the variable is set and not empty;
//   if-exists PATH WORDS...         if PATH exists on the host (a symlink counts),
//   if-symlink PATH WORDS...        if PATH is a symlink,
//   if-dir PATH WORDS...            if PATH is a directory and not a symlink
//
// A line that ends with a backslash goes on on the next. ${VAR} that is unset,
// "$VAR" without braces and an unterminated quote are errors naming the file
// and the line. Expanded values are never split again. [pure]
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cocoon {

// A profile's text and where it came from ("~/.config/cocoon/profiles/x",
// "built-in").
struct ProfileText {
    std::string origin;  // the path it was read from, or "built-in"
    std::string text;
};

// What expansion needs from outside, injected so that this code stays pure.
struct ProfileHost {
    // NAME (no '/': the user's, the system's, then the built-in profile of
    // that name) or a path: its text, nullopt if there is none, or an error
    // (unreadable, too big).
    std::function<Result<std::optional<ProfileText>>(const std::string& name)> find;
    // What lstat(2) says of a host path: 'l' symlink, 'd' directory, 'f'
    // anything else, 0 nothing there.
    std::function<char(const std::string& path)> file_type;
    // The caller's environment, then the variables cocoon adds (UID, GID, CWD,
    // COMMAND): nullopt if unset.
    std::function<std::optional<std::string>(std::string_view name)> variable;
};

// One word of an expansion and the line it came from ("host-ro:12").
struct ProfileWord {
    std::string word;
    std::string where;
};

// The words of profile `name` with its includes, in order.
Result<std::vector<ProfileWord>> expand_profile(const std::string& name, const ProfileHost& host);

// The same for one text (the fuzz target's entry): `origin` names it in errors.
Result<std::vector<ProfileWord>> expand_profile_text(const std::string& origin, std::string_view text,
                                                     const ProfileHost& host);

// The built-in profiles, in --profile list's order.
struct BuiltinProfile {
    std::string_view name;
    std::string_view summary;
    std::string_view text;
};
const std::vector<BuiltinProfile>& builtin_profiles();
const BuiltinProfile* find_builtin_profile(std::string_view name);

// A profile's summary: its first comment line ("# ..."), without the "# ".
std::string profile_summary(std::string_view text);

}  // namespace cocoon

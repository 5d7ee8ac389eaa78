// SPDX-License-Identifier: MIT
// Where profiles come from (HACKING.md, "Profiles"): the user's
// ($XDG_CONFIG_HOME/cocoon/profiles), the system's (/etc/cocoon/profiles),
// then the built-ins (core/builtin_profiles.cc); a NAME with a '/' is a file.
#pragma once
#include <string>
#include <vector>

#include "core/profile.h"

namespace cocoon {

// find, file_type and the variables cocoon adds (UID, GID, CWD) for --profile.
ProfileHost host_profiles();

// Every profile --profile NAME can find, the first of each name first.
struct ProfileListing {
    std::string name;
    std::string origin;     // a path, or "built-in"
    std::string summary;    // its first comment line
    bool shadowed = false;  // a profile of the same name comes first
};
std::vector<ProfileListing> list_profiles();

}  // namespace cocoon

// SPDX-License-Identifier: MIT
// Capability names as libcap spells them, for --cap-add and --cap-drop. [pure]
#pragma once
#include <optional>
#include <string_view>

namespace cocoon {

// "CAP_CHOWN", "cap_chown" or a number below 64, as libcap's cap_from_name
// accepts them; nullopt for anything else. "ALL" is the caller's business.
std::optional<int> parse_cap_name(std::string_view name);

// The name of capability `cap` ("cap_chown"), or "" past the known ones.
std::string_view cap_name(int cap);

// How many capabilities this table knows (CAP_LAST_CAP + 1 of its kernel).
int known_caps();

}  // namespace cocoon

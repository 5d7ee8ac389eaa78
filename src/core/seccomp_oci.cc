// SPDX-License-Identifier: MIT
// Reading Docker/OCI JSON seccomp profiles. [pure]
//
// Semantics follow moby's profile loader and runc: a rule whose `includes` do
// not all hold, or one of whose `excludes` holds, is left out; conditions on
// distinct arguments must all hold, while several on the same argument make
// one rule each (runc adds them separately). Unlike runc, a comparison on an
// `int` argument looks at its low 32 bits only (HACKING.md, security rule 5).
#include "core/seccomp_oci.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "core/caps.h"

namespace cocoon::seccomp {
namespace {

using nlohmann::json;

struct OciError {
    std::string what;
};

[[noreturn]] void bad(std::string what) {
    throw OciError{std::move(what)};
}

const json* member(const json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::vector<std::string> strings(const json& object, const char* key, const std::string& path) {
    std::vector<std::string> out;
    const json* list = member(object, key);
    if (list == nullptr)
        return out;
    if (!list->is_array())
        bad(fmt::format("{}.{}: expected an array of strings", path, key));
    for (const json& item : *list) {
        if (!item.is_string())
            bad(fmt::format("{}.{}: expected an array of strings", path, key));
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::uint64_t number(const json& object, const char* key, const std::string& path, std::uint64_t fallback) {
    const json* value = member(object, key);
    if (value == nullptr)
        return fallback;
    if (!value->is_number_unsigned())
        bad(fmt::format("{}.{}: expected a non-negative integer", path, key));
    return value->get<std::uint64_t>();
}

Action parse_action(const json& object, const char* key, const char* errno_key, const std::string& path,
                    std::uint64_t default_errno) {
    const json* value = member(object, key);
    if (value == nullptr || !value->is_string())
        bad(fmt::format("{}.{}: expected an action such as \"SCMP_ACT_ERRNO\"", path, key));
    const std::string name = value->get<std::string>();
    const std::uint64_t ret = number(object, errno_key, path, default_errno);
    if (ret > 0xffff)
        bad(fmt::format("{}.{}: {} is too large", path, errno_key, ret));
    const auto data = static_cast<std::uint16_t>(ret);
    if (name == "SCMP_ACT_ALLOW")
        return {ActionKind::Allow, 0};
    if (name == "SCMP_ACT_ERRNO")
        return {ActionKind::Errno, data};
    if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD")
        return {ActionKind::KillThread, 0};
    if (name == "SCMP_ACT_KILL_PROCESS")
        return {ActionKind::KillProcess, 0};
    if (name == "SCMP_ACT_TRAP")
        return {ActionKind::Trap, 0};
    if (name == "SCMP_ACT_LOG")
        return {ActionKind::Log, 0};
    if (name == "SCMP_ACT_TRACE")
        return {ActionKind::Trace, data};
    if (name == "SCMP_ACT_NOTIFY")
        bad(fmt::format("{}.{}: SCMP_ACT_NOTIFY needs a listener, which cocoon does not provide", path, key));
    bad(fmt::format("{}.{}: unknown action \"{}\"", path, key, name));
}

Op parse_op(const std::string& name, const std::string& path) {
    if (name == "SCMP_CMP_NE")
        return Op::Ne;
    if (name == "SCMP_CMP_LT")
        return Op::Lt;
    if (name == "SCMP_CMP_LE")
        return Op::Le;
    if (name == "SCMP_CMP_EQ")
        return Op::Eq;
    if (name == "SCMP_CMP_GE")
        return Op::Ge;
    if (name == "SCMP_CMP_GT")
        return Op::Gt;
    if (name == "SCMP_CMP_MASKED_EQ")
        return Op::MaskedEq;
    bad(fmt::format("{}.op: unknown comparison \"{}\"", path, name));
}

std::array<unsigned, 2> version_of(const std::string& text, const std::string& path) {
    const std::vector<std::string_view> parts = split(text, '.');
    const auto major = parts.empty() ? std::nullopt : parse_decimal(parts[0], 10000);
    const auto minor = parts.size() < 2 ? std::optional<std::uint64_t>(0) : parse_decimal(parts[1], 10000);
    if (!major || !minor || parts.size() > 3)
        bad(fmt::format("{}: \"{}\" is not a kernel version like \"5.8\"", path, text));
    return {static_cast<unsigned>(*major), static_cast<unsigned>(*minor)};
}

// One of includes/excludes: does every filter it sets hold (includes), or
// does any hold (excludes)?
bool holds(const json& object, const char* key, const std::string& path, const ProfileContext& ctx,
           bool all) {
    const json* filter = member(object, key);
    if (filter == nullptr)
        return all;
    const std::string here = fmt::format("{}.{}", path, key);
    if (!filter->is_object())
        bad(fmt::format("{}: expected an object", here));
    std::vector<bool> results;
    const std::vector<std::string> arches = strings(*filter, "arches", here);
    if (!arches.empty())
        results.push_back(std::find(arches.begin(), arches.end(), ctx.arch) != arches.end());
    const std::vector<std::string> caps = strings(*filter, "caps", here);
    if (!caps.empty()) {
        bool each = true, any = false;
        for (const std::string& name : caps) {
            const auto cap = parse_cap_name(name);
            if (!cap)
                bad(fmt::format("{}.caps: unknown capability \"{}\"", here, name));
            const bool has = (ctx.caps >> *cap) & 1;
            each = each && has;
            any = any || has;
        }
        results.push_back(all ? each : any);
    }
    if (const json* min = member(*filter, "minKernel")) {
        if (!min->is_string())
            bad(fmt::format("{}.minKernel: expected a string like \"5.8\"", here));
        results.push_back(ctx.kernel >= version_of(min->get<std::string>(), here + ".minKernel"));
    }
    if (all)
        return std::all_of(results.begin(), results.end(), [](bool b) { return b; });
    return std::any_of(results.begin(), results.end(), [](bool b) { return b; });
}

Policy parse(const json& root, std::string_view origin, const KnownSyscall& known,
             const ProfileContext& ctx) {
    if (!root.is_object())
        bad("expected a JSON object with \"defaultAction\"");
    Policy policy;
    policy.default_action = parse_action(root, "defaultAction", "defaultErrnoRet", "", 1);
    strings(root, "architectures", "");  // checked for shape; every host architecture is filtered anyway
    if (const json* map = member(root, "archMap"); map != nullptr && !map->is_array())
        bad(".archMap: expected an array");
    const json* calls = member(root, "syscalls");
    if (calls == nullptr)
        return policy;
    if (!calls->is_array())
        bad(".syscalls: expected an array");
    for (std::size_t i = 0; i < calls->size(); ++i) {
        const json& call = (*calls)[i];
        const std::string path = fmt::format(".syscalls[{}]", i);
        if (!call.is_object())
            bad(fmt::format("{}: expected an object", path));
        std::vector<std::string> names = strings(call, "names", path);
        if (const json* name = member(call, "name")) {  // the runtime-spec's older single name
            if (!name->is_string())
                bad(fmt::format("{}.name: expected a string", path));
            names.push_back(name->get<std::string>());
        }
        // Errno rules without errnoRet deny with EPERM (moby, runc).
        const Action action = parse_action(call, "action", "errnoRet", path, 1);
        std::vector<Condition> conditions;
        std::vector<bool> seen(6, false);
        bool repeated = false;
        if (const json* args = member(call, "args")) {
            if (!args->is_array())
                bad(fmt::format("{}.args: expected an array", path));
            for (std::size_t a = 0; a < args->size(); ++a) {
                const json& arg = (*args)[a];
                const std::string here = fmt::format("{}.args[{}]", path, a);
                if (!arg.is_object())
                    bad(fmt::format("{}: expected an object", here));
                const std::uint64_t index = number(arg, "index", here, 6);
                if (index > 5)
                    bad(fmt::format("{}.index: expected an argument index from 0 to 5", here));
                const json* op = member(arg, "op");
                if (op == nullptr || !op->is_string())
                    bad(fmt::format("{}.op: expected a comparison such as \"SCMP_CMP_EQ\"", here));
                Condition c;
                c.arg = static_cast<unsigned>(index);
                c.op = parse_op(op->get<std::string>(), here);
                const std::uint64_t value = number(arg, "value", here, 0);
                const std::uint64_t two = number(arg, "valueTwo", here, 0);
                if (c.op == Op::MaskedEq) {  // libseccomp's order: mask, then datum
                    c.mask = value;
                    c.value = two;
                } else {
                    c.value = value;
                }
                repeated = repeated || seen[c.arg];
                seen[c.arg] = true;
                conditions.push_back(c);
            }
        }
        if (!holds(call, "includes", path, ctx, true) || holds(call, "excludes", path, ctx, false))
            continue;
        const std::string where = fmt::format("{}{}", origin, path);
        for (const std::string& name : names) {
            if (!known(name))
                continue;
            if (repeated)
                for (const Condition& c : conditions) policy.rules.push_back({name, action, {c}, where});
            else
                policy.rules.push_back({name, action, conditions, where});
        }
    }
    return policy;
}

}  // namespace

bool looks_like_json(std::string_view text) {
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        return c == '{';
    }
    return false;
}

std::array<unsigned, 2> parse_kernel_version(std::string_view release) {
    std::array<unsigned, 2> v{0, 0};
    std::size_t part = 0;
    for (char c : release) {
        if (c >= '0' && c <= '9') {
            v[part] = v[part] * 10 + static_cast<unsigned>(c - '0');
            if (v[part] > 100000)
                break;
        } else if (c == '.' && part == 0) {
            part = 1;
        } else {
            break;
        }
    }
    return v;
}

Result<Policy> parse_policy_oci(std::string_view text, std::string_view origin, const KnownSyscall& known,
                                const ProfileContext& context) {
    try {
        return parse(json::parse(text), origin, known, context);
    } catch (const json::parse_error& e) {
        // Name the line and column of the byte nlohmann stopped at.
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        return fail(Error::usage(fmt::format("{}:{}:{}: not valid JSON", origin, line, column)));
    } catch (const OciError& e) {
        return fail(Error::usage(fmt::format("{}: {}", origin, e.what)));
    } catch (const json::exception& e) {
        return fail(Error::usage(fmt::format("{}: {}", origin, e.what())));
    }
}

}  // namespace cocoon::seccomp

// SPDX-License-Identifier: MIT
// libFuzzer target: a command line (core/cli.h), words separated by NUL, with
// what an --args FD reads after the first \x01, planned against a fake host
// (core/plan.h). Checks meaning, not only "no crash": a parsed command line
// has a COMMAND, and a plan puts every mount inside the new root (an
// absolute, normalised destination, with ".." only where setup resolves it
// beneath the root, never in a --protect/--mask rule) and the rules last.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/cli.h"
#include "core/mount_plan.h"
#include "core/plan.h"

namespace {

void check(bool ok) {
    if (!ok)
        std::abort();
}

// Absolute and normalised; ".." only where `dotdot` allows it (bwrap's
// destinations resolve it inside the new root, which setup never leaves).
bool normal_absolute(const std::string& path, bool dotdot) {
    if (path.empty() || path[0] != '/')
        return false;
    if (path == "/")
        return true;
    if (path.back() == '/' || path.find("//") != std::string::npos)
        return false;
    for (std::size_t at = 1; at <= path.size();) {
        const std::size_t end = std::min(path.find('/', at), path.size());
        const std::string_view part(path.data() + at, end - at);
        if (part == "." || (part == ".." && !dotdot))
            return false;
        at = end + 1;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cocoon;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t split = input.find('\x01');
    const std::string_view line = input.substr(0, split);
    const std::string args_data(split == std::string_view::npos ? std::string_view()
                                                                : input.substr(split + 1));
    std::vector<std::string> argv;
    for (std::size_t at = 0; at <= line.size();) {
        const std::size_t end = std::min(line.find('\0', at), line.size());
        argv.emplace_back(line.substr(at, end - at));
        at = end + 1;
    }
    const CliIo io{
        .read_fd = [&](int) -> Result<std::string> { return args_data; },
        .fd_is_open = [](int fd) { return fd >= 0 && fd < 16; },
        .warn = [](const std::string&) {},
        .max_args = 9000,
        .profiles = {.find = [](const std::string& name) -> Result<std::optional<ProfileText>> {
                         if (const BuiltinProfile* b = find_builtin_profile(name))
                             return std::optional<ProfileText>(ProfileText{name, std::string(b->text)});
                         return std::optional<ProfileText>();
                     },
                     .file_type = [](const std::string& path) -> char { return path == "/bin" ? 'l' : 0; },
                     .variable = [](std::string_view name) -> std::optional<std::string> {
                         if (name == "HOME")
                             return std::string("/home/u");
                         if (name == "CWD")
                             return std::string("/home/u/src");
                         return std::nullopt;
                     }},
    };
    Result<Config> config = parse_cli(argv, {"HOME=/home/u", "PATH=/usr/bin"}, io);
    if (!config)
        return 0;
    // What main answers without a sandbox (tests/fuzz/regressions/cli-version).
    if (config->help || config->version || config->list_profiles || config->check || config->seccomp_export)
        return 0;
    check(!config->command.empty());
    HostFacts facts;
    facts.uid = 1001;
    facts.gid = 1002;
    facts.cwd = "/home/u/src";
    facts.rlimit_hard.fill(~0ULL);
    facts.privileged_sockets = {"/run/docker.sock"};
    Result<Plan> plan = make_plan(*config, facts);
    if (!plan)
        return 0;
    bool rules = false;
    for (const MountOp& op : plan->mounts.ops) {
        if (!op.dest_error.empty())
            continue;  // a -try bind's unusable destination: refused if its source exists
        const bool rule =
            op.kind == MountKind::Pin || op.kind == MountKind::Protect || op.kind == MountKind::Mask;
        check(normal_absolute(op.target, !rule));
        if (rule)
            check(normal_absolute(op.source, false));
        check(rule || !rules);  // nothing after the rules
        rules = rules || rule;
        check(!describe(op).empty());
    }
    check(!plan->exec.argv.empty());
    return 0;
}

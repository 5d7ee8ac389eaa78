// SPDX-License-Identifier: MIT
// parse -> plan -> launch; the only place that prints errors and picks exit codes.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "core/cli.h"
#include "core/options.h"
#include "core/plan.h"
#include "core/plan_text.h"
#include "core/report.h"
#include "os/diagnosis.h"
#include "os/fd.h"
#include "os/host.h"
#include "os/prefault.h"
#include "os/profiles.h"
#include "os/seccomp_compile.h"
#include "run/check.h"
#include "run/launcher.h"
#include "run/reaper.h"
#include "run/seccomp_profiles.h"

extern char** environ;

namespace cocoon {
namespace {

// env(1) and podman conventions; bwrap exits 1 for all of its own failures.
constexpr int kExitFailure = 125;
constexpr int kExitCannotExecute = 126;
constexpr int kExitNotFound = 127;

// Ends this process by `sig`, as an interrupted program ends, so that a shell
// sees the signal (a loop of cocoon runs stops at Ctrl-C). Without a core
// dump: the command's, if any, is the one that matters (timeout(1) does the same).
[[noreturn]] void end_by_signal(int sig) {
    std::fflush(stdout);
    std::fflush(stderr);
    const rlimit none{0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    ::signal(sig, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
    ::raise(sig);
    ::_exit(128 + sig);  // SIGQUIT-like signals may dump core elsewhere; never reached otherwise
}

struct App {
    MessageStyle style;
    std::string argv0;
    pid_t parent_pid = 0;

    int failure_code(FailureKind kind) const {
        if (style.personality == Personality::Bwrap)
            return 1;
        switch (kind) {
            case FailureKind::Setup:
            case FailureKind::HelperFailed:
                return kExitFailure;
            case FailureKind::ExecNotFound:
                return kExitNotFound;
            case FailureKind::ExecFailed:
                return kExitCannotExecute;
            case FailureKind::Interrupted:
                return kExitFailure;
        }
        return kExitFailure;
    }

    int report(const Error& error, FailureKind kind = FailureKind::Setup) const {
        std::fprintf(stderr, "%s\n", format_error(error, style).c_str());
        if (!error.hint.empty())
            std::fprintf(stderr, "%s\n", format_error(Error::usage(error.hint), style).c_str());
        return failure_code(kind);
    }

    // A setup failure, then its cause and fix where the machine tells them
    // (core/diagnose.h): as bwrap, the first line stays bwrap's.
    int report(const LaunchFailure& failure) const {
        const int code = report(failure.error, failure.kind);
        if (failure.at != FailedAt::Other)
            for (const std::string& line : explain_failure(failure.at, failure.errnum, gather_diagnosis()))
                std::fprintf(stderr, "%s\n", format_error(Error::usage(line), style).c_str());
        return code;
    }

    int usage() const {
        std::fputs(render_help(argv0).c_str(), stderr);
        return failure_code(FailureKind::Setup);
    }

    int run(const std::vector<std::string>& args) const {
        std::vector<std::string> env;
        for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
        const CliIo io{
            .read_fd = [](int fd) -> Result<std::string> {
                Result<std::string> data = read_all(fd);
                ::close(fd);
                return data;
            },
            .fd_is_open = fd_is_open,
            .warn =
                [this](const std::string& text) {
                    std::fprintf(stderr, "%s\n", format_warning(text, style).c_str());
                },
            .max_args = style.personality == Personality::Bwrap ? std::size_t{9000} : kMaxArgsCocoon,
            .profiles = host_profiles()};
        Result<Config> config = parse_cli(args, env, io);
        if (!config)
            // No COMMAND: bwrap prints its whole usage; cocoon says so in one line.
            return !config.error().context.empty() ? report(config.error())
                   : style.personality == Personality::Bwrap
                       ? usage()
                       : report(Error{0, "no COMMAND to run",
                                      fmt::format("usage: {} [OPTIONS...] [--] "
                                                  "COMMAND [ARGS...]; see --help",
                                                  argv0)});
        config->bwrap = style.personality == Personality::Bwrap;
        if (config->seccomp_fd) {  // read after parsing, as bwrap reads it after setup
            Result<std::string> data = checked_seccomp_data(read_all(*config->seccomp_fd));
            ::close(*config->seccomp_fd);
            if (!data)
                return report(data.error());
            config->seccomp_filters.push_back(std::move(*data));
        }
        for (const std::string& warning : config->warnings)
            std::fprintf(stderr, "%s\n", format_warning(warning, style).c_str());
        if (config->help) {
            std::fputs(render_help(argv0).c_str(), stdout);
            return 0;
        }
        if (config->list_profiles) {
            for (const ProfileListing& p : list_profiles())
                std::printf("%-12s %s%s\n             %s\n", p.name.c_str(), p.origin.c_str(),
                            p.shadowed ? " (hidden by the one above)" : "", p.summary.c_str());
            return 0;
        }
        if (config->check) {
            // A typical sandbox, as the README's examples start them: the
            // host read-only, a new /proc and /dev, every namespace but the
            // network's. Its output would only be noise.
            const std::vector<std::string> typical = {"--ro-bind",   "/",     "/",    "--proc",
                                                      "/proc",       "--dev", "/dev", "--unshare-all",
                                                      "--share-net", "--",    "true"};
            Result<Config> trial = parse_cli(typical, env, io);
            const DiagnosisFacts facts = gather_diagnosis();
            std::vector<Finding> findings = check_host(facts);
            findings.push_back(trial ? try_sandbox(*trial, facts)
                                     : Finding{"sandbox", Level::Fail, trial.error().context, ""});
            std::fputs(render_findings(findings, config->json).c_str(), stdout);
            return findings.back().level == Level::Ok ? 0 : 1;
        }
        if (config->version) {
            std::puts(style.personality == Personality::Bwrap ? "bubblewrap 0.11.1"
                                                              : "cocoon " COCOON_VERSION);
            return 0;
        }
        if (config->seccomp_export) {
            // No sandbox: includes/excludes on capabilities see those of --cap-add.
            Result<HostFacts> facts = gather_host_facts({.seccomp_profiles = config->seccomp_profiles});
            if (!facts)
                return report(facts.error());
            Result<std::vector<seccomp::PlannedProfile>> planned = seccomp::plan_profiles(
                config->seccomp_profiles, facts->seccomp, apply_cap_ops(0, ~0ULL, config->cap_ops));
            if (!planned)
                return report(planned.error());
            Result<std::vector<std::string>> programs = compile_profiles(*planned);
            if (!programs)
                return report(programs.error());
            if (programs->empty())
                return report(
                    Error::usage(fmt::format("--seccomp-export: profile '{}' has no filter to export",
                                             config->seccomp_profiles.front())));
            if (Status st = write_file(*config->seccomp_export, programs->front()); !st)
                return report(Error{st.error().errnum, "--seccomp-export: " + st.error().context});
            return 0;
        }
        Result<HostFacts> facts = gather_host_facts({.id_maps = config->wants_id_maps(),
                                                     .rlimits = !config->rlimits.empty(),
                                                     .seccomp_profiles = config->seccomp_profiles});
        if (!facts)
            return report(facts.error());
        facts->parent_pid = parent_pid;
        std::vector<std::string> warned;
        auto plan_for = [&](const HostFacts& f) -> Result<Plan> {
            Plan plan = TRY(make_plan(*config, f));
            std::vector<std::string> programs = TRY(compile_profiles(plan.seccomp_profiles));
            add_filters(plan, std::move(programs), filters_allow_early_install,
                        filters_allow_listener_handoff);
            for (const std::string& warning : plan.warnings)
                if (std::find(warned.begin(), warned.end(), warning) == warned.end()) {
                    std::fprintf(stderr, "%s\n", format_warning(warning, style).c_str());
                    warned.push_back(warning);
                }
            return plan;
        };
        Result<Plan> plan = plan_for(*facts);
        if (!plan)
            return report(plan.error());
        if (config->dry_run) {
            std::fputs((config->json ? render_plan_json(*plan) : render_plan(*plan)).c_str(), stdout);
            return 0;
        }
        std::fflush(stdout);  // the child gets a copy of unflushed buffers otherwise
        Result<Finished, LaunchFailure> status =
            launch(*plan, HelperPaths{facts->newuidmap, facts->newgidmap});
        if (!status && status.error().kind == FailureKind::HelperFailed) {
            // --map-auto with helpers that cannot work here (a container, a
            // nested sandbox, no setuid bit): one id, as when they are missing.
            // Nothing of the first attempt ran.
            facts->id_helper_failure = status.error().error.context;
            plan = plan_for(*facts);
            if (!plan)
                return report(plan.error());
            status = launch(*plan, HelperPaths{});
        }
        if (!status && status.error().kind == FailureKind::Interrupted)
            end_by_signal(status.error().signal);
        if (!status && plan->coord.report_fd) {  // the report's last line, as for a sandbox that ran
            const Error& e = status.error().error;
            const std::string line = report_line(
                "setup-error",
                {{"message",
                  e.errnum != 0 ? fmt::format("{}: {}", e.context, std::strerror(e.errnum)) : e.context}});
            write_all(*plan->coord.report_fd, line.data(), line.size()).has_value();
        }
        if (!status)
            return report(status.error());
        // No destructors on the way out: the heap is shared copy-on-write with
        // the reaper, and freeing the plan would copy page after page of it.
        if (status->signal != 0)
            end_by_signal(status->signal);
        std::fflush(stdout);
        std::fflush(stderr);
        ::_exit(status->code);
    }
};

Personality personality_of(std::string_view argv0) {
    const std::size_t slash = argv0.rfind('/');
    const std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
    return base == "bwrap" ? Personality::Bwrap : Personality::Cocoon;
}

}  // namespace
}  // namespace cocoon

int main(int argc, char** argv) {
    using namespace cocoon;
    // Before anything else: --die-with-parent follows this process, so that a
    // parent dying while we parse, read files and compile filters is noticed.
    const pid_t parent = ::getppid();
    std::size_t argument_bytes = 0;
    for (int i = 1; i < argc; ++i) argument_bytes += std::strlen(argv[i]) + 1;
    prefault_image(argument_bytes);
    App app;
    app.argv0 = argc > 0 ? argv[0] : "cocoon";
    app.parent_pid = parent;
    app.style.personality = personality_of(app.argv0);
    try {
        // An ignored SIGCHLD inherited from the caller would make the kernel reap our
        // child behind our back (bwrap 0.11.1 resets it too).
        ::signal(SIGCHLD, SIG_DFL);
        // cocoon needs no privileges, and must not run with any: its parent would
        // keep them while parsing input from an unprivileged user.
        if (::getuid() != ::geteuid() || ::getgid() != ::getegid())
            return app.report(Error::usage(
                "refusing to run setuid or setgid: cocoon needs no privileges, remove the mode bits"));
        if (started_with_privileges())
            return app.report(
                Error::usage("refusing to run with file capabilities: cocoon needs no privileges, remove "
                             "them with setcap -r"));
        std::vector<std::string> args;
        args.reserve(static_cast<std::size_t>(argc));
        for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
        // --level-prefix applies to every message, also one about an option that
        // comes before it, so it is looked for among the options first.
        for (std::size_t i = 0; i < args.size(); ++i) {
            const OptionSpec* spec = find_option(args[i]);
            if (spec == nullptr)
                break;
            app.style.level_prefix = app.style.level_prefix || spec->id == OptionId::LevelPrefix;
            i += spec->args.size();
        }
        return app.run(args);
    } catch (...) {
        return app.report(Error::usage("internal error"));
    }
}
